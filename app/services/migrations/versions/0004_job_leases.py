"""Job leases: the server running a job renews its lease; another server adopts a job whose lease
has expired, and a cancel asked through another server is recorded on the job.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("server", sa.String(32)))
        batch.add_column(sa.Column("lease_until", sa.Float))
        batch.add_column(sa.Column("cancel_requested", sa.Integer, nullable=False, server_default="0"))
        batch.create_index("jobs_status", ["status"])
