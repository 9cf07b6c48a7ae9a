from alembic import context

from services.common.migrate import run_env
from services.organization.adapters.tables import metadata

run_env(context, metadata)
