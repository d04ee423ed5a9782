"""the service report reads its contacts from one covering index

``report service`` and the Service screen count a period's contacts by group, state, due time
and closing; the dashboard's weekly attainment counts by channel, state and due time. Read
through ``ix_contact_received`` each contact was a look-up of its whole row (a month of a
large contact centre took seconds); this index carries every column those counts read, in
received order, and replaces ``ix_contact_received_measure``, which carried the dashboard's.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0005'
down_revision: Union[str, None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SERVICE_COLUMNS = [
    'received_at',
    'employee_id',
    'channel',
    'first_response_state',
    'first_response_due',
    'closed_at',
    'first_response_seconds',
    'reply_count',
    'reply_wait_seconds',
    'over_ceiling',
    'talk_seconds',
    'hold_seconds',
    'wrap_seconds',
]


def upgrade() -> None:
    op.drop_index('ix_contact_received_measure', table_name='contact')
    op.create_index('ix_contact_service', 'contact', SERVICE_COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index('ix_contact_service', table_name='contact')
    op.create_index(
        'ix_contact_received_measure',
        'contact',
        ['received_at', 'channel', 'first_response_state', 'first_response_due'],
        unique=False,
    )
