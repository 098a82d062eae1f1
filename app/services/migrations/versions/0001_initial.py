"""The schema of version 0.1: networks, jobs, uploads.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "networks",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("weights", sa.LargeBinary, nullable=False),
        sa.Column("history", sa.Text, nullable=False, server_default="[]"),
        sa.Column("data", sa.Text),
        sa.Column("steps_trained", sa.Integer, nullable=False, server_default="0"),
        sa.Column("epochs_trained", sa.Float, nullable=False, server_default="0"),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("network_id", sa.String(32)),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("started_at", sa.Float),
        sa.Column("finished_at", sa.Float),
        sa.Column("error", sa.Text),
        sa.Column("progress", sa.Text, nullable=False, server_default="{}"),
        sa.Column("metrics", sa.Text, nullable=False, server_default="{}"),
        sa.Column("history", sa.Text, nullable=False, server_default="[]"),
        sa.Column("result", sa.Text),
    )
    op.create_index("jobs_created", "jobs", ["created_at"])
    op.create_table(
        "uploads",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("task", sa.String(16), nullable=False),
        sa.Column("csv", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("n_classes", sa.Integer, nullable=False),
        sa.Column("class_names", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
