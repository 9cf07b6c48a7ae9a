"""Replicas of the server each run the daily jobs: on PostgreSQL one at a time takes a job's
turn and the others skip it (two sweeps at once would both announce the same expiring terms)."""

from __future__ import annotations

from sqlalchemy import text

from services.platform import one_replica_at_a_time


def test_a_daily_job_held_by_another_replica_is_skipped(platform):
    engine = platform.runtime("organization").engine
    runs = []
    job = one_replica_at_a_time(engine, "daily-job:test", lambda: runs.append(1) or "swept")
    if engine.dialect.name != "postgresql":
        assert job() == "swept" and runs == [1], "one process on SQLite: the job simply runs"
        return
    with engine.connect() as other_replica:
        other_replica.execute(text("SELECT pg_advisory_lock(hashtextextended('daily-job:test', 0))"))
        assert job() is None and runs == []
        other_replica.execute(text("SELECT pg_advisory_unlock(hashtextextended('daily-job:test', 0))"))
    assert job() == "swept" and job() == "swept" and runs == [1, 1], "the lock is released after each run"
