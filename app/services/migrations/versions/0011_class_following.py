"""The lesson section a class's lecturer asks the room to follow ("Follow me" on /learn).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("classes") as batch:
        batch.add_column(sa.Column("following", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("classes") as batch:
        batch.drop_column("following")
