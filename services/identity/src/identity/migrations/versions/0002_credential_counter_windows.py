"""failed-credential counters count within a fixed window (ID-12)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('signin_counters', sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=True))
    # The counters' keys changed shape (per account by user id, per address by minute and hour), so the old
    # rows would never be read again; a lock in force ends with this upgrade, at most 15 minutes early.
    op.execute('DELETE FROM signin_counters')


def downgrade() -> None:
    op.execute('DELETE FROM signin_counters')
    op.drop_column('signin_counters', 'window_started_at')
