"""what security models use

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 09:29:47.127863
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('security_model_usage',
    sa.Column('security_model_id', sa.UUID(), nullable=False),
    sa.Column('entry_kind', sa.String(length=10), nullable=False),
    sa.Column('entry_id', sa.UUID(), nullable=False),
    sa.Column('trade_account_id', sa.UUID(), nullable=False),
    sa.PrimaryKeyConstraint('security_model_id', 'entry_kind', 'entry_id')
    )
    op.create_index(op.f('ix_security_model_usage_trade_account_id'), 'security_model_usage', ['trade_account_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_security_model_usage_trade_account_id'), table_name='security_model_usage')
    op.drop_table('security_model_usage')
