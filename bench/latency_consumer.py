"""The relay benchmark's consumer: a real nameko worker whose handler notes commit-to-handler time.

`nameko run bench.latency_consumer` with PB_DATABASE_URL (the bench database) and
PB_BENCH_CONSUMER. It goes through everything a service's consumer does (nameko
`@event_handler`, EventConsumer's processed_events check and record, a unit of work) and
writes each event's latency to `bench_latency` in the same transaction.
"""

from __future__ import annotations

import os
import time

from sqlalchemy import Column, Float, MetaData, String, Table, insert

CONSUMER = os.environ.get("PB_BENCH_CONSUMER", "bench-latency")
SUBSCRIPTION = ("organization", "organization.unit_moved")

latency = Table(
    "bench_latency", MetaData(),
    Column("event_id", String(36), primary_key=True),
    Column("latency_ms", Float, nullable=False),
)


def on_event(env, uow_factory) -> None:
    received = time.time()
    with uow_factory(env.tenant) as uow:
        uow.conn.execute(insert(latency).values(
            event_id=env.event_id, latency_ms=(received - float(env.payload["committed"])) * 1000))
        uow.commit()


if os.environ.get("PB_DATABASE_URL"):
    from services.common.config import Settings
    from services.common.db import make_engine
    from services.common.events.consumer import EventConsumer
    from services.common.events.worker import nameko_service
    from services.organization.entrypoints import runtime

    def _build() -> EventConsumer:
        engine = make_engine(Settings.from_env().database_url_for("organization"), "organization", pool_size=4)
        return EventConsumer(CONSUMER, engine, runtime.uow_factory(engine), {SUBSCRIPTION: on_event})

    BenchLatencyWorker = nameko_service(CONSUMER, [SUBSCRIPTION], _build)
