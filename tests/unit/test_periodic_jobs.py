"""The kernel's periodic jobs (services/platform.PeriodicJobs): each on its own interval, one
failing job does not stop the others, and stop() ends the thread."""

from __future__ import annotations

import threading

from services.common.runtime import PeriodicJob
from services.platform import PeriodicJobs


def test_each_job_runs_and_a_failing_one_does_not_stop_the_others():
    ran, calls = threading.Event(), []

    def failing():
        raise RuntimeError("gateway down")

    def counting():
        calls.append(1)
        ran.set()

    jobs = PeriodicJobs([PeriodicJob("failing", 3600, failing), PeriodicJob("counting", 3600, counting)],
                        first_delay=0)
    jobs.start()
    assert ran.wait(10)
    jobs.stop()
    jobs.join(10)
    assert not jobs.is_alive() and calls == [1]  # an hour's interval: once
