"""helpdesk_actions: what the C-TPAT Helpdesk did to which user, who did it, how and why

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 11:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('helpdesk_actions',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.UUID(), nullable=False),
    sa.Column('user_email', sa.String(length=254), nullable=False),
    sa.Column('actor_id', sa.UUID(), nullable=False),
    sa.Column('actor_email', sa.String(length=254), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('helpdesk_actions_by_user', 'helpdesk_actions', ['user_id', 'occurred_at'], unique=False)
    op.create_index('helpdesk_actions_by_time', 'helpdesk_actions', ['occurred_at'], unique=False)


def downgrade() -> None:
    op.drop_index('helpdesk_actions_by_time', table_name='helpdesk_actions')
    op.drop_index('helpdesk_actions_by_user', table_name='helpdesk_actions')
    op.drop_table('helpdesk_actions')
