"""The lesson (/learn): the sections each person has read and every answer they gave, with whether
it was right.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lesson_reads",
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("section", sa.String(32), nullable=False),
        sa.Column("read_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("owner", "section"),
    )
    op.create_table(
        "lesson_answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("owner", sa.String(64), nullable=False, index=True),
        sa.Column("question", sa.String(64), nullable=False, index=True),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("correct", sa.Boolean, nullable=False),
        sa.Column("answered_at", sa.Float, nullable=False),
    )
