"""a handbook rule may be guidance that no complaint or action can cite

Values, definitions and supervisors' procedures carry IDs like rules, but nobody can breach "use
common sense" or the definition of response time. Their headings now say so (``.not-citable``),
and each published rule records it, so a citation is checked against the version in force. Every
rule published before this revision counts as citable, as it could be cited then.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':  # ADD COLUMN keeps the table and its triggers
        op.execute('ALTER TABLE handbook_rule ADD COLUMN citable BOOLEAN DEFAULT 1 NOT NULL')
    else:
        op.add_column('handbook_rule', sa.Column('citable', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    op.drop_column('handbook_rule', 'citable')
