"""sign-off insert check: plan its queries for each row on PostgreSQL

PL/pgSQL caches a generic plan for the trigger's "already signed?" query after
a few calls. Chosen while the sign-off table was small, that plan scans the
whole table, and inserting many sign-offs in one transaction (a roster's first
sign-offs, the demo) became quadratic: 100,000 employees took many minutes.
Custom plans see the table as it is now and use ix_signoff_employee_version.
SQLite plans trigger statements with its indexes anyway: nothing to do there.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0002'
down_revision: Union[str, None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER FUNCTION tracker_signoff_insert_checks() SET plan_cache_mode = force_custom_plan")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER FUNCTION tracker_signoff_insert_checks() RESET plan_cache_mode")
