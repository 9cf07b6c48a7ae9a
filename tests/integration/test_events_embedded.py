"""The embedded bus on SQLite: outbox rows reach in-process handlers once, in order; failures park."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, update

from services.common.config import Settings
from services.common.events.consumer import EventConsumer, list_dead_letters
from services.common.events.embedded import start_embedded_bus
from services.common.events.envelope import UnreadableEvent, from_wire
from services.common.events.relay import OutboxRelay, outbox, outbox_lag
from services.organization.domain.events import UnitMoved
from services.organization.domain.snapshots import UnitSnapshot
from services.platform import build_runtime, migrate_all
from tests.helpers import wait_for
from tests.integration import event_consumer


@pytest.fixture
def org(tmp_path, monkeypatch):
    monkeypatch.setattr(event_consumer, "MARKERS", tmp_path)
    settings = Settings.from_env({"PB_VAR_DIR": str(tmp_path)})
    migrate_all(settings)
    rt = build_runtime("organization", settings)
    event_consumer.received.create(rt.engine)
    yield rt
    rt.engine.dispose()


def consumer(rt, **kw) -> EventConsumer:
    kw.setdefault("max_attempts", 3)
    return EventConsumer("test-consumer", rt.engine, rt.uow_factory, event_consumer.HANDLERS, backoff=0.01, **kw)


def move(rt, tenant: str, reason: str) -> None:
    with rt.uow_factory(tenant) as uow:
        unit = f"tenants/{tenant}/units/u-1"
        uow.emit(UnitMoved(unit=unit, old_parent="a", new_parent="b", reason=reason,
                           snapshot=UnitSnapshot({"name": unit, "parent": "b"}, 2)))
        uow.commit()


def received(rt) -> list:
    r = event_consumer.received
    with rt.engine.connect() as conn:
        return conn.execute(select(r).order_by(r.c.id)).all()


def test_embedded_bus_delivers_each_event_once_in_tenant_order(org):
    bus = start_embedded_bus([org], consumers=[consumer(org)])
    try:
        for i in range(10):
            move(org, "610001" if i % 2 else "610002", f"m{i}")
        rows = wait_for(lambda: len(received(org)) >= 10) and received(org)
    finally:
        bus.stop()
    assert sorted(r.reason for r in rows) == sorted(f"m{i}" for i in range(10))
    for tenant in ("610001", "610002"):
        seqs = [r.sequence for r in rows if r.tenant == tenant]
        assert seqs == [1, 2, 3, 4, 5]  # the tenant's own numbering, in commit order, no gaps
    assert outbox_lag(org.engine)[0] == 0


def test_a_redelivered_event_is_applied_once(org):
    bodies = []
    OutboxRelay(org.engine, "organization", lambda _p, evs: bodies.extend(b for _t, b in evs)).run_once()
    move(org, "610001", "twice")
    OutboxRelay(org.engine, "organization", lambda _p, evs: bodies.extend(b for _t, b in evs)).run_once()
    c = consumer(org)
    assert [c.deliver(bodies[-1]), c.deliver(bodies[-1])] == ["applied", "duplicate"]
    assert [r.reason for r in received(org)] == ["twice"]


def test_unreadable_body_is_parked_with_its_reason(org):
    c = consumer(org)
    assert c.deliver({"garbage": True}) == "parked"
    (dl,) = list_dead_letters(org.engine)
    assert "not an event envelope" in dl.reason and "garbage" in dl.body
    with pytest.raises(UnreadableEvent):
        from_wire("not json at all")


def test_failing_handler_is_parked_then_replayed(org, tmp_path, monkeypatch):
    (tmp_path / "fail-switch").touch()
    bodies = []
    move(org, "610001", "fail")
    OutboxRelay(org.engine, "organization", lambda _p, evs: bodies.extend(b for _t, b in evs)).run_once()
    c = consumer(org)
    assert c.deliver(bodies[0]) == "parked"
    (dl,) = list_dead_letters(org.engine)
    assert dl.attempts == 3 and "refused" in dl.reason and received(org) == []

    (tmp_path / "fail-switch").unlink()
    monkeypatch.setenv("PB_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("PB_DATABASE_URL", raising=False)
    from services.pbctl.main import cli

    listing = CliRunner().invoke(cli, ["events", "dead-letters"])
    assert listing.exit_code == 0 and "organization.unit_moved" in listing.output
    replay = CliRunner().invoke(cli, ["events", "replay", str(dl.id), "--handlers", "tests.integration.event_consumer"])
    assert replay.exit_code == 0, replay.output
    assert [r.reason for r in received(org)] == ["fail"]
    assert list_dead_letters(org.engine) == []
    assert "no dead letters" in CliRunner().invoke(cli, ["events", "dead-letters"]).output


def test_sent_events_are_pruned_after_retention(org):
    move(org, "610001", "old")
    move(org, "610001", "new")
    relay = OutboxRelay(org.engine, "organization", lambda _p, _e: None, retention_hours=1)
    assert relay.run_once() == 2
    with org.engine.begin() as conn:
        conn.execute(update(outbox).where(outbox.c.seq == select(func.min(outbox.c.seq)).scalar_subquery())
                     .values(sent_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)))
    assert relay.prune() == 1
    with org.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(outbox)).scalar() == 1


def test_relay_lag_counts_unsent_events(org):
    move(org, "610001", "waiting")
    count, age = outbox_lag(org.engine)
    assert count == 1 and age >= 0
