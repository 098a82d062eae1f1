"""Tokens and share links one can list and revoke: each token gets a public id (the first 16 hex
digits of its hash for the tokens from before), the first characters of the token itself, when it
was last used and the key it was minted under (null before: stamped with the key in use when a
server first opens the upgraded database). Share links are looked up by owner.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tokens") as batch:
        batch.add_column(sa.Column("id", sa.String(32)))
        batch.add_column(sa.Column("prefix", sa.String(16)))
        batch.add_column(sa.Column("last_used_at", sa.Float))
        batch.add_column(sa.Column("key_id", sa.String(32)))
    op.execute("UPDATE tokens SET id = substr(token_hash, 1, 16)")
    with op.batch_alter_table("tokens") as batch:
        batch.alter_column("id", existing_type=sa.String(32), nullable=False)
        batch.create_index("ix_tokens_id", ["id"], unique=True)
    with op.batch_alter_table("shares") as batch:
        batch.create_index("ix_shares_owner", ["owner"])
