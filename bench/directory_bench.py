"""Directory benchmark: 10,000 member snapshots applied on PostgreSQL (a county import's worth).

Prints figures, asserts nothing. A fresh database with a consuming schema (common + directory
tables), dropped at the end. Three ways: 20 transactions of 500 (what 20 resources_changed
events do), one transaction of 10,000 (a resync), and the same 10,000 again at equal versions
(a redelivery: nothing changes). Then bench/directory_flow.py: the same county through the
production processes (import and single changes reaching points' directory).
"""

from __future__ import annotations

import os
import time
import uuid

PG_ADMIN = os.environ.get("PB_BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
TENANT = "610222"
MEMBERS = 10_000
PER_EVENT = 500


def _snapshots(version: int) -> list:
    from partybuilding.organization.v1 import organization_events_pb2 as ev
    from partybuilding.organization.v1 import organization_service_pb2 as pb

    return [ev.MemberSnapshot(version=version, member=pb.Member(
        name=f"tenants/{TENANT}/members/m-{i:06d}", display_name=f"党员{i}", unit=f"tenants/{TENANT}/units/u-{i // 50}",
        gender=pb.MALE, status=pb.FULL, category=pb.ORDINARY_FARMER, state=pb.MEMBER_ACTIVE, age_band="40-49",
        personal_data_masked=True)) for i in range(MEMBERS)]


def _timed(engine, tables, batches: list[list]) -> tuple[float, int, int]:
    """Seconds, rows changed and statements sent for applying `batches`, one transaction each."""
    from sqlalchemy import event

    from services.common.directory import Directory

    statements = 0

    def count(*_args) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine, "before_cursor_execute", count)
    started, changed = time.perf_counter(), 0
    for batch in batches:
        with engine.begin() as conn:
            changed += Directory(conn, tables, TENANT).apply_members(batch)
    elapsed = time.perf_counter() - started
    event.remove(engine, "before_cursor_execute", count)
    return elapsed, changed, statements


def run() -> None:
    import psycopg
    from sqlalchemy import MetaData

    from services.common.db import make_engine
    from services.common.directory import add_directory_tables
    from services.common.directory.model import DirectoryMember
    from services.common.tables import add_common_tables

    name = f"pb_bench_dir_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", "public", pool_size=2)
    try:
        metadata = MetaData()
        add_common_tables(metadata)
        tables = add_directory_tables(metadata)
        metadata.create_all(engine)
        started = time.perf_counter()
        first = [DirectoryMember.from_proto(s) for s in _snapshots(1)]
        second = [DirectoryMember.from_proto(s) for s in _snapshots(2)]
        convert = (time.perf_counter() - started) / 2
        print(f"directory: converting {MEMBERS:,} MemberSnapshots to rows: {convert * 1000:.0f} ms")
        chunks = [first[i:i + PER_EVENT] for i in range(0, MEMBERS, PER_EVENT)]
        for label, batches in (
            (f"{len(chunks)} transactions of {PER_EVENT} (new rows)", chunks),
            (f"1 transaction of {MEMBERS:,} (newer versions)", [second]),
            (f"1 transaction of {MEMBERS:,} (equal versions: nothing changes)", [second]),
        ):
            elapsed, changed, statements = _timed(engine, tables, batches)
            print(f"directory: apply {MEMBERS:,} members, {label}: {elapsed * 1000:.0f} ms "
                  f"({MEMBERS / elapsed:,.0f} rows/s), {changed:,} changed, {statements} statements")
    finally:
        engine.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    from bench import directory_flow

    directory_flow.run()


if __name__ == "__main__":
    run()
