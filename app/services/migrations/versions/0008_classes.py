"""Classes: a lecturer's class, its members (who joined by the class's code, under a display name)
and its assignment; a job may name the class it was made for.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "classes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("code", sa.String(8), nullable=False, unique=True),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("joining", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("ended_at", sa.Float),
        sa.Column("assignment", sa.Text),
        sa.Column("hidden_test", sa.Text),
    )
    op.create_index("ix_classes_owner", "classes", ["owner"])
    op.create_table(
        "class_members",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("class_id", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("name_key", sa.Text, nullable=False),
        sa.Column("joined_at", sa.Float, nullable=False),
        sa.UniqueConstraint("class_id", "owner", name="class_members_owner"),
        sa.UniqueConstraint("class_id", "name_key", name="class_members_name"),
    )
    op.create_index("ix_class_members_owner", "class_members", ["owner"])
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("class_id", sa.String(32)))
        batch.create_index("ix_jobs_class_id", ["class_id"])
