"""thread count per Security Model (an inbox's total as a sum over the user's models)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 21:58:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('security_models', sa.Column('thread_count', sa.Integer(), server_default='0', nullable=False))
    op.execute("update security_models s set thread_count ="
               " (select count(*) from threads t where t.security_model_id = s.model_id)")


def downgrade() -> None:
    op.drop_column('security_models', 'thread_count')
