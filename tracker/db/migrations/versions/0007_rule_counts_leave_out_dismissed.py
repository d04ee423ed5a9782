"""a rule's count is of the complaints that stand: dismissed ones are taken off

The dashboard's "most-cited rules" read ``rule_day``, which counted every complaint citing a
rule, dismissed ones too, so a rule cited by complaints found groundless stayed at the top.
From this revision dismissing a complaint takes it off its rules' counts; the counts already
kept are rebuilt the same way.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""
from typing import Sequence, Union

from alembic import op

from tracker.db.dialect import utc_day_sql

revision: str = '0007'
down_revision: Union[str, None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _recount(where: str) -> None:
    day = utc_day_sql(op.get_bind().dialect.name, 'c.received_at')
    op.execute('DELETE FROM rule_day')
    op.execute(
        f'INSERT INTO rule_day (day, rule_id, complaints) SELECT {day}, cr.rule_id, COUNT(*) '
        f'FROM complaint_rule cr JOIN complaint c ON c.id = cr.complaint_id {where} GROUP BY {day}, cr.rule_id'
    )


def upgrade() -> None:
    _recount("WHERE c.status <> 'dismissed'")


def downgrade() -> None:
    _recount('')
