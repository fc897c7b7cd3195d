"""participants.certified: Certified or above as ctpat's StatusChanged says, instead of svi's own list

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 20:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('participants', sa.Column('certified', sa.Boolean(), server_default='false', nullable=False))
    op.execute("update participants set certified = coalesce(status in ('certified', 'certified_validated',"
               " 'certified_exceeding', 'certified_non_importer_validated'), false)")


def downgrade() -> None:
    op.drop_column('participants', 'certified')
