"""audit events only in chain order; no INSERT OR REPLACE of append-only rows (SQLite)

A row inserted into audit_event must carry the next sequence number and the
newest event's hash as its previous hash, so a shadow event (seq 0, or a
duplicate) cannot be slipped in beside the chain. On SQLite, INSERT OR REPLACE
deletes the row it replaces without firing the DELETE trigger that keeps the
table append-only: inserting a row whose key is already taken is refused first.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from typing import Sequence, Union

from alembic import op

from tracker.db import triggers

revision: str = "0003"
down_revision: Union[str, None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    for statement in triggers.chain_statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for statement in triggers.drop_chain_statements(op.get_bind().dialect.name):
        op.execute(statement)
