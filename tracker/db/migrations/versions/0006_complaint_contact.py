"""a complaint may point at the customer contact it came from

The contact is a service measure (a ticket, chat, call or post imported from a help desk); the
complaint is the conduct record. Linking them lets a supervisor read the conversation behind a
complaint without the contact entering anyone's conduct file. Contacts are never deleted (a
trigger refuses it), so the pointer cannot dangle.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: Union[str, None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FOREIGN_KEY = 'fk_complaint_contact_id_contact'


def upgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        # ADD COLUMN keeps the table (a batch copy would rebuild it and its partial index); SQLite
        # accepts a named REFERENCES constraint on an added column whose default is NULL.
        op.execute(
            f'ALTER TABLE complaint ADD COLUMN contact_id INTEGER CONSTRAINT {FOREIGN_KEY} REFERENCES contact (id)'
        )
    else:
        op.add_column('complaint', sa.Column('contact_id', sa.Integer(), nullable=True))
        op.create_foreign_key(FOREIGN_KEY, 'complaint', 'contact', ['contact_id'], ['id'])
    op.create_index('ix_complaint_contact', 'complaint', ['contact_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_complaint_contact', table_name='complaint')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ALTER TABLE complaint DROP COLUMN contact_id')
    else:
        op.drop_constraint(FOREIGN_KEY, 'complaint', type_='foreignkey')
        op.drop_column('complaint', 'contact_id')
