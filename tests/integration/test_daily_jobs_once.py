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


def test_periodic_jobs_take_the_same_turns(platform):
    from dataclasses import replace

    from services.common.runtime import PeriodicJob
    from services.platform import periodic_jobs

    runtime = platform.runtime("notify")
    runs = []
    job = PeriodicJob("test-sweep", 600, lambda: runs.append(1) or "swept")
    [wrapped] = periodic_jobs([replace(runtime, periodic_jobs=[job])]).jobs
    assert (wrapped.name, wrapped.interval_seconds) == ("test-sweep", 600)
    if runtime.engine.dialect.name != "postgresql":
        assert wrapped.run() == "swept"
        return
    with runtime.engine.connect() as other_replica:
        other_replica.execute(text("SELECT pg_advisory_lock(hashtextextended('periodic-job:notify:test-sweep', 0))"))
        assert wrapped.run() is None and runs == []
        other_replica.execute(text("SELECT pg_advisory_unlock(hashtextextended('periodic-job:notify:test-sweep', 0))"))
    assert wrapped.run() == "swept" and runs == [1]
