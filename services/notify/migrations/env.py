from alembic import context

from services.common.migrate import run_env
from services.notify.adapters.tables import metadata

run_env(context, metadata)
