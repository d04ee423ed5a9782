"""a complaint recorded in error may be dismissed before anyone replied

The complaint flow lets a complaint entered by mistake (a duplicate, not a complaint) be dismissed
while still received, so the check that every complaint past 'received' has a first response
now allows 'dismissed' without one, instead of making a supervisor invent a reply.

SQLite cannot alter a CHECK constraint; loosening one changes no stored row, so the table's
definition is rewritten in place as SQLite's documentation describes for such changes
(writable_schema, then a new schema version), keeping the table, its indexes and its triggers.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0008'
down_revision: Union[str, None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NAME = 'ck_complaint_acknowledged_has_first_response'
BEFORE = "status = 'received' OR first_response_at IS NOT NULL"
AFTER = "status IN ('received', 'dismissed') OR first_response_at IS NOT NULL"


def _replace(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != 'sqlite':
        op.drop_constraint(op.f(NAME), 'complaint', type_='check')
        op.create_check_constraint(op.f(NAME), 'complaint', new)
        return
    sql = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'complaint'").scalar()
    clause = f'CONSTRAINT {NAME} CHECK ({old})'
    if clause not in sql:
        raise RuntimeError(f'complaint table: {NAME} is not as the tracker made it')
    version = bind.exec_driver_sql('PRAGMA schema_version').scalar()
    bind.exec_driver_sql('PRAGMA writable_schema = ON')
    bind.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'complaint'",
        (sql.replace(clause, f'CONSTRAINT {NAME} CHECK ({new})'),),
    )
    bind.exec_driver_sql(f'PRAGMA schema_version = {int(version) + 1}')
    bind.exec_driver_sql('PRAGMA writable_schema = OFF')


def upgrade() -> None:
    _replace(BEFORE, AFTER)


def downgrade() -> None:
    _replace(AFTER, BEFORE)
