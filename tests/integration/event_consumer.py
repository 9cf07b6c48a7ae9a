"""A stand-in consumer service for the event tests: records organization.unit_moved events.

Run as `nameko run tests.integration.event_consumer` with PB_DATABASE_URL, PB_TEST_CONSUMER
(a name unique to the test run) and PB_TEST_MARKERS (a directory). Move reasons steer it:
`slow` sleeps once mid-handler (so a test can kill it), `fail` raises while the file
`fail-switch` exists in the markers directory.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from partybuilding.organization.v1.organization_events_pb2 import UnitMovedEvent
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert

from services.common.clock import utcnow
from services.common.events.envelope import typed_payload
from services.organization.entrypoints import runtime

CONSUMER = os.environ.get("PB_TEST_CONSUMER", "test-consumer")
MARKERS = Path(os.environ.get("PB_TEST_MARKERS", "/tmp"))

received = Table(
    "test_received_events", MetaData(),
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("consumer", String(80), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("tenant", String(6), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)


def on_unit_moved(env, uow_factory) -> None:
    moved = typed_payload(env, UnitMovedEvent)
    if moved.reason == "fail" and (MARKERS / "fail-switch").exists():
        raise RuntimeError("the downstream system refused the change")
    with uow_factory(env.tenant) as uow:
        uow.conn.execute(insert(received).values(
            consumer=CONSUMER, event_id=env.event_id, tenant=env.tenant, sequence=env.sequence,
            reason=moved.reason, received_at=utcnow()))
        if moved.reason == "slow":
            marker = MARKERS / f"slow-{env.event_id}"
            if not marker.exists():
                marker.touch()
                time.sleep(120)
        uow.commit()


HANDLERS = {("organization", "organization.unit_moved"): on_unit_moved}


def uow_factory(engine):
    return runtime.uow_factory(engine)


if os.environ.get("PB_DATABASE_URL"):
    from services.common.config import Settings
    from services.common.db import make_engine
    from services.common.events.consumer import EventConsumer
    from services.common.events.worker import nameko_service

    def _build() -> EventConsumer:
        engine = make_engine(Settings.from_env().database_url_for("organization"), "organization", pool_size=2)
        return EventConsumer(CONSUMER, engine, uow_factory(engine), HANDLERS,
                             max_attempts=int(os.environ.get("PB_TEST_ATTEMPTS", "3")), backoff=0.05)

    TestConsumerWorker = nameko_service(CONSUMER, sorted(HANDLERS), _build)
