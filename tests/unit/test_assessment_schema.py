"""The assessment migrations build exactly the tables the code declares (the directory's included)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from services.assessment.adapters.tables import metadata
from services.common.migrate import upgrade


def test_the_migrated_schema_matches_the_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'assessment.sqlite3'}"
    upgrade("assessment", url)
    engine = create_engine(url)
    with engine.connect() as conn:
        drift = compare_metadata(MigrationContext.configure(conn), metadata)
    engine.dispose()
    # Alembic's own bookkeeping table is the one the code does not declare.
    assert [d for d in drift if not (d[0] == "remove_table" and d[1].name == "alembic_version_assessment")] == []
