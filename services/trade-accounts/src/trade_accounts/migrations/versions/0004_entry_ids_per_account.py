"""an address's or user's id names it within its Trade Account (a split copies under the same ids)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 16:30:00
"""
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('addresses', 'memberships'):
        op.drop_constraint(f'{table}_pkey', table, type_='primary')
        op.create_primary_key(f'{table}_pkey', table, ['trade_account_id', 'id'])


def downgrade() -> None:
    for table in ('addresses', 'memberships'):
        op.drop_constraint(f'{table}_pkey', table, type_='primary')
        op.create_primary_key(f'{table}_pkey', table, ['id'])
