"""Alembic per service: each service migrates its own schema (PostgreSQL) or file (SQLite)."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, MetaData, create_engine, text
from sqlalchemy.pool import NullPool

from services.common.config import Settings
from services.common.db import APP_ROLE, ensure_sqlite_dir, is_sqlite
from services.common.sealing import DataKey


def alembic_config(service: str, url: str, data_key: bytes | None = None) -> Config:
    location = resources.files(f"services.{service}") / "migrations"
    cfg = Config()
    cfg.set_main_option("script_location", str(location))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["service"] = service
    cfg.attributes["data_key"] = data_key
    return cfg


def migration_data_key(op) -> DataKey:
    """The deployment's data key inside a migration: the one `upgrade` was given, else the
    environment's (the alembic command line)."""
    key = op.get_context().config.attributes.get("data_key")
    return DataKey(key if key is not None else Settings.from_env().data_key)


# Held while a process migrates a PostgreSQL database: replicas that start together (two
# `pbctl serve`, a rollout's pods) migrate one after the other; the later ones find it done.
MIGRATION_LOCK = 0x70625F6D6967  # "pb_mig"


def upgrade(service: str, url: str, revision: str = "head", data_key: bytes | None = None) -> None:
    """Bring the service's schema to `revision`; safe to call on every start, from several
    processes at once."""
    if is_sqlite(url):
        ensure_sqlite_dir(url)
        command.upgrade(alembic_config(service, url, data_key), revision)
        return
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            lock.commit()  # the lock is the session's: it outlives this transaction
            with engine.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{service}"'))
                ensure_app_role(conn)
                conn.execute(text(f'GRANT USAGE ON SCHEMA "{service}" TO {APP_ROLE}'))
            command.upgrade(alembic_config(service, url, data_key), revision)
            lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
            lock.commit()
    finally:
        engine.dispose()


def ensure_app_role(conn: Connection) -> None:
    """The role transactions switch to; it owns nothing, so RLS policies bind it."""
    conn.execute(text(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') "
        f"THEN CREATE ROLE {APP_ROLE} NOLOGIN; END IF; END $$"
    ))
    conn.execute(text(f"GRANT {APP_ROLE} TO CURRENT_USER"))


def run_env(context, metadata: MetaData) -> None:
    """Body of every service's migrations/env.py."""
    cfg = context.config
    service = cfg.attributes.get("service") or cfg.get_main_option("service")
    url = cfg.get_main_option("sqlalchemy.url")
    sqlite = is_sqlite(url)
    opts = dict(
        target_metadata=metadata,
        render_as_batch=sqlite,
        version_table=f"alembic_version_{service}",
    )
    if not sqlite:
        opts["version_table_schema"] = service
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        if not sqlite:
            conn.execute(text(f'SET search_path TO "{service}", public'))
            conn.commit()
        context.configure(connection=conn, **opts)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def enable_row_level_security(op, tables: tuple[str, ...], grant_tables: tuple[str, ...]) -> None:
    """PostgreSQL only: app role gets DML, and sees only rows of the tenant bound per transaction."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in grant_tables:
        op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {APP_ROLE}")
    op.execute(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {op.get_context().version_table_schema} TO {APP_ROLE}")
    for table in tables:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table} USING "
            f"(current_setting('pb.tenant', true) = '*' OR tenant = current_setting('pb.tenant', true))"
        )
