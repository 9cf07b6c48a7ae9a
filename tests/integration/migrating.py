"""A migration tested as a county lives it: a database at an old revision, rows written there the
old way, then upgraded to head and read through the service's own repositories."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy import Connection, create_engine, text

from services.common.config import DEV_DATA_KEY
from services.common.migrate import upgrade
from services.common.sealing import DataKey
from services.organization.entrypoints import runtime
from services.organization.service_layer.unit_of_work import OrgUnitOfWorkFactory
from tests.conftest import PG_ADMIN


@contextmanager
def database(backend: str, tmp_path) -> Iterator[str]:
    """The URL of an empty database of its own on this backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'org.sqlite3'}"
        return
    name = f"pb_mig_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def at_revision(backend: str, url: str, revision: str) -> Iterator[Connection]:
    """A transaction on the schema as `revision` left it, for rows written the old way."""
    upgrade("organization", url, revision=revision, data_key=DEV_DATA_KEY)
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if backend == "postgres":
                conn.execute(text('SET search_path TO "organization"'))
            yield conn
    finally:
        engine.dispose()


@contextmanager
def upgraded(backend: str, url: str) -> Iterator[OrgUnitOfWorkFactory]:
    """The database upgraded to head, and the service's unit-of-work factory on it."""
    upgrade("organization", url, data_key=DEV_DATA_KEY)
    engine = create_engine(url, connect_args={"options": "-csearch_path=organization"} if backend == "postgres" else {})
    try:
        yield runtime.uow_factory(engine, data_key=DataKey(DEV_DATA_KEY))
    finally:
        engine.dispose()
