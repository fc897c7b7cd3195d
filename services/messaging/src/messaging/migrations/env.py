from alembic import context
from messaging.tables import metadata

from servicekit.migrations import run_env

run_env(context, metadata)
