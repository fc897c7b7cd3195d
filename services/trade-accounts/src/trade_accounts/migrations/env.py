from alembic import context

from servicekit.migrations import run_env
from trade_accounts.tables import metadata

run_env(context, metadata)
