"""company-name search by beginning: a byte-ordered btree index on the lower-cased name

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 19:30:00
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SV-04's first step scans names in order from what was typed and stops at the page's end.
    op.execute('create index companies_name_prefix on companies ((lower(company_name) collate "C"))')


def downgrade() -> None:
    op.execute('drop index companies_name_prefix')
