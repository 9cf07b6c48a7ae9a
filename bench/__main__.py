"""`make bench`: prints figures, asserts nothing. BENCH_ONLY=org|relay|directory|points|assessment|notify|webhook|
notify-events runs one part."""

from __future__ import annotations

import os

from bench import (
    assessment_bench,
    directory_bench,
    notify_bench,
    notify_events_bench,
    org_bench,
    points_bench,
    relay_bench,
    webhook_bench,
)


def main() -> None:
    only = os.environ.get("BENCH_ONLY", "")
    if only in ("", "org"):
        org_bench.run()
    if only in ("", "relay"):
        relay_bench.run()
    if only in ("", "directory"):
        directory_bench.run()
    if only in ("", "points"):
        points_bench.run()
    if only in ("", "assessment"):
        assessment_bench.run()
    if only in ("", "webhook"):
        webhook_bench.run()
    if only in ("", "notify"):
        notify_bench.run()
    if only in ("", "notify-events"):
        notify_events_bench.run()


if __name__ == "__main__":
    main()
