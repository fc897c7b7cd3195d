"""requests, security models, merged accounts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 09:20:45.944687
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('account_requests',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('requested_by', sa.UUID(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('requesting_account_id', sa.UUID(), nullable=False),
    sa.Column('parent_id', sa.UUID(), nullable=True),
    sa.Column('subsidiary_id', sa.UUID(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('new_company_name', sa.String(length=200), nullable=True),
    sa.Column('moving_security_model_ids', postgresql.ARRAY(sa.UUID()), server_default='{}', nullable=False),
    sa.Column('approvals', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('history', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_account_requests_parent_id'), 'account_requests', ['parent_id'], unique=False)
    op.create_index(op.f('ix_account_requests_requested_by'), 'account_requests', ['requested_by'], unique=False)
    op.create_index(op.f('ix_account_requests_status'), 'account_requests', ['status'], unique=False)
    op.create_index(op.f('ix_account_requests_subsidiary_id'), 'account_requests', ['subsidiary_id'], unique=False)
    op.create_table('security_models',
    sa.Column('id', sa.UUID(), nullable=False),
    sa.Column('trade_account_id', sa.UUID(), nullable=False),
    sa.Column('scss_user_id', sa.UUID(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_security_models_trade_account_id'), 'security_models', ['trade_account_id'], unique=False)
    op.add_column('trade_accounts', sa.Column('merged_into', sa.UUID(), nullable=True))
    op.create_foreign_key('trade_accounts_merged_into_fkey', 'trade_accounts', 'trade_accounts', ['merged_into'], ['id'])


def downgrade() -> None:
    # WARNING: constraint name is None; this directive will fail as
    # rendered.  Add a name, or use a naming convention; see
    # https://alembic.sqlalchemy.org/en/latest/naming.html
    op.drop_constraint('trade_accounts_merged_into_fkey', 'trade_accounts', type_='foreignkey')
    op.drop_column('trade_accounts', 'merged_into')
    op.drop_index(op.f('ix_security_models_trade_account_id'), table_name='security_models')
    op.drop_table('security_models')
    op.drop_index(op.f('ix_account_requests_subsidiary_id'), table_name='account_requests')
    op.drop_index(op.f('ix_account_requests_status'), table_name='account_requests')
    op.drop_index(op.f('ix_account_requests_requested_by'), table_name='account_requests')
    op.drop_index(op.f('ix_account_requests_parent_id'), table_name='account_requests')
    op.drop_table('account_requests')
