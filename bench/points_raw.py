"""The raw baselines RecordEntry is compared with: SQLAlchemy Core in the bench process, no gRPC.

Both write the same entry rows RecordEntry writes (every column, one member's MEETING_ATTENDED
entry), one transaction per entry, from the same number of threads as RecordEntry has calls in
flight, on the same PostgreSQL tables, each under a county code of its own (so neither shares
the measured county's chain head):

- `insert`: BEGIN; INSERT the entry row (its hash computed over its fields, not chained);
  COMMIT. The floor: what one durable row per transaction costs here.
- `append`: BEGIN; SELECT the county's chain head FOR UPDATE; seal the link (chain.seal: the
  sha256 over the previous hash and the entry); INSERT the entry; UPDATE the head; upsert the
  member-year's balance and the rule's total; COMMIT. The least a chained append with its
  projections needs, without authorization, validation, the rules in force, caps, idempotency,
  crossings, the wallet or the outbox.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import threading
import time

from bench import points_seed as seed


def _entry(tenant: str, member: str, seq: int, revision: int):
    from services.common.clock import utcnow
    from services.common.ids import new_id
    from services.points.domain.ledger import Entry, EntryStatus

    now = utcnow()
    return Entry(id=new_id("e"), tenant=tenant, member_id=member, unit_id=seed.village_id(int(member[2:]) %
                                                                                           seed.VILLAGES),
                 rule_set_id=seed.RULE_SET, revision=revision, rule_code=seed.MEETING, kind="AWARD", quantity=1,
                 requested_points=1, points=1, exchange_points=0, occurred_at=now - dt.timedelta(hours=1),
                 year=seed.YEAR, status=EntryStatus.COUNTED, approval_required=False, recorded_by="bench-raw",
                 created_at=now, note="", seq=seq)


def _row(entry) -> dict:
    from services.points.adapters.repositories.ledger import _entry_row

    return _entry_row(entry, "")


def _run(threads: int, seconds: float, work) -> tuple[float, int]:
    """Calls of work(rnd) per second over `seconds`, `threads` at a time; and how many failed."""
    deadline = time.perf_counter() + seconds
    done, failed, lock = [0], [0], threading.Lock()

    def loop(k: int) -> None:
        rnd = random.Random(k)
        while time.perf_counter() < deadline:
            try:
                work(rnd)
            except Exception:  # noqa: BLE001 - a bench counts failures, it does not stop on them
                with lock:
                    failed[0] += 1
                continue
            with lock:
                done[0] += 1

    t0 = time.perf_counter()
    pool = [threading.Thread(target=loop, args=(k,)) for k in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return done[0] / (time.perf_counter() - t0), failed[0]


def measure(url: str, members: list[str], revision: int, threads: int, seconds: float) -> dict[str, tuple]:
    """{'insert': (rows/s, failures), 'append': (rows/s, failures)}."""
    from sqlalchemy import insert, select, update
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    from services.common.db import make_engine
    from services.points.adapters import tables
    from services.points.domain import chain

    engine = make_engine(url, "points", pool_size=threads)
    e, h, b, r = tables.entries, tables.chain_heads, tables.balances, tables.rule_totals
    plain, chained = "619901", "619902"
    counter = itertools.count(1)

    def raw_insert(rnd: random.Random) -> None:
        entry = _entry(plain, rnd.choice(members), next(counter), revision)
        row = _row(entry)
        row["prev_hash"], row["hash"] = chain.GENESIS, chain.link_hash(chain.GENESIS, chain.entry_fields(entry))
        with engine.begin() as conn:
            conn.execute(insert(e), row)

    def raw_append(rnd: random.Random) -> None:
        member = rnd.choice(members)
        with engine.begin() as conn:
            head = conn.execute(select(h.c.seq, h.c.hash).where(h.c.tenant == chained).with_for_update()).one()
            entry = chain.seal(_entry(chained, member, 0, revision), head.seq + 1, head.hash)
            conn.execute(insert(e), _row(entry))
            conn.execute(update(h).where(h.c.tenant == chained).values(seq=entry.seq, hash=entry.hash))
            bal = pg_insert(b).values(tenant=chained, member_id=member, year=seed.YEAR, base=0, balance=1,
                                      status="NORMAL", version=1)
            conn.execute(bal.on_conflict_do_update(index_elements=[b.c.tenant, b.c.member_id, b.c.year],
                                                   set_={"balance": b.c.balance + 1, "version": b.c.version + 1}))
            tot = pg_insert(r).values(tenant=chained, member_id=member, year=seed.YEAR, rule_code=seed.MEETING,
                                      points=1, quantity=1, reserved=0)
            conn.execute(tot.on_conflict_do_update(
                index_elements=[r.c.tenant, r.c.member_id, r.c.year, r.c.rule_code],
                set_={"points": r.c.points + 1, "quantity": r.c.quantity + 1}))

    try:
        with engine.begin() as conn:
            conn.execute(insert(h).values(tenant=chained, seq=0, hash=chain.GENESIS))
        raw_insert(random.Random(0))  # warm the pool and the statement cache
        return {"insert": _run(threads, seconds, raw_insert), "append": _run(threads, seconds, raw_append)}
    finally:
        engine.dispose()
