"""Rows kept from before names and owners: version 0.1's networks, jobs and uploads were kept, and stay kept.

Version 0.1 kept everything. Names (0003) made an unnamed network scratch that expires, and the
expiry also deletes old unused uploads and ended jobs, so without a mark every row a 0.1 user kept
would be deleted on the first start after the upgrade. Rows from before owners (0002) have no
owner; a job from before leases (0004) has no server. Those are 0.1's rows: they are marked kept,
and expiry never deletes a kept row.

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
    networks = sa.table("networks", sa.column("owner"), sa.column("name"), sa.column("sweep_id"), sa.column("kept"))
    jobs = sa.table("jobs", sa.column("owner"), sa.column("server"), sa.column("kept"))
    uploads = sa.table("uploads", sa.column("owner"), sa.column("kept"))
    op.execute(networks.update().where(networks.c.owner.is_(None), networks.c.sweep_id.is_(None))
               .values(kept=sa.true()))
    op.execute(jobs.update().where(jobs.c.owner.is_(None), jobs.c.server.is_(None)).values(kept=sa.true()))
    op.execute(uploads.update().where(uploads.c.owner.is_(None)).values(kept=sa.true()))
