from alembic import context
from documents.tables import metadata

from servicekit.migrations import run_env

run_env(context, metadata)
