"""Class submissions: a member's network entered for the class's leaderboard, with a copy of its
weights and spec as they were, its score on the assignment's hidden test points, and the caption
the lecturer gave it when pinning it to the class's gallery.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "class_submissions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("class_id", sa.String(32), nullable=False),
        sa.Column("member_id", sa.String(32), nullable=False),
        sa.Column("network_id", sa.String(32), nullable=False),
        sa.Column("spec", sa.Text, nullable=False),
        sa.Column("weights", sa.LargeBinary, nullable=False),
        sa.Column("score", sa.Float),
        sa.Column("metric", sa.String(16), nullable=False),
        sa.Column("scored_on", sa.String(16), nullable=False),
        sa.Column("parameters", sa.Integer, nullable=False),
        sa.Column("submitted_at", sa.Float, nullable=False),
        sa.Column("caption", sa.Text),
        sa.Column("pinned_at", sa.Float),
        sa.UniqueConstraint("class_id", "member_id", name="class_submissions_member"),
    )

