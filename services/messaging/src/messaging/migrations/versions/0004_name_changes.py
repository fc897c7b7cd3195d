"""a Trade Account's request to CBP for a company name change: threads with no model, open or closed

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 21:50:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('members', sa.Column('type', sa.String(length=30), nullable=True))
    op.alter_column('threads', 'security_model_id', existing_type=sa.UUID(), nullable=True)
    op.add_column('threads', sa.Column('trade_account_id', sa.UUID(), nullable=True))
    op.add_column('threads', sa.Column('status', sa.String(length=10), server_default='open', nullable=False))
    op.create_index('name_changes_of_account', 'threads', ['trade_account_id'], unique=False,
                    postgresql_where=sa.text("kind = 'name_change'"))
    op.create_index('one_open_name_change', 'threads', ['trade_account_id'], unique=True,
                    postgresql_where=sa.text("kind = 'name_change' AND status = 'open'"))


def downgrade() -> None:
    op.drop_index('one_open_name_change', table_name='threads')
    op.drop_index('name_changes_of_account', table_name='threads')
    op.drop_column('threads', 'status')
    op.drop_column('threads', 'trade_account_id')
    op.alter_column('threads', 'security_model_id', existing_type=sa.UUID(), nullable=False)
    op.drop_column('members', 'type')
