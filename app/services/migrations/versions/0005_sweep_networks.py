"""Sweep networks: each run of a sweep stores its network, marked with the sweep's id, so that
unnamed ones do not count against the networks one person may keep.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("networks") as batch:
        batch.add_column(sa.Column("sweep_id", sa.String(32)))
