from alembic import context

from services.assessment.adapters.tables import metadata
from services.common.migrate import run_env

run_env(context, metadata)
