from alembic import context
from svi.tables import metadata

from servicekit.migrations import run_env

run_env(context, metadata)
