"""Rows kept from before names and owners: version 0.1's networks, jobs and uploads were kept, and stay kept.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("networks", "jobs", "uploads"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("kept", sa.Boolean, nullable=False, server_default=sa.false()))
