"""Seeding for bench/points_bench.py: a county-year of points' ledger on PostgreSQL, fast.

Nothing here goes through gRPC; what is measured does (points_bench.py). What is seeded how:

- The directory (points' own copy of the organization: tenant, 15 townships, 200 villages,
  10,000 members) is COPYed straight into points.directory_*: a bench does not need the
  organization's events to fill it (bench/directory_flow.py measures that path).
- The rules: the 巢湖 template adopted and published through the service layer (in-process).
- The entries: 50 per member (meetings, themed Party days, volunteer hours, in 2026, the yearly
  caps applied as the ledger applies them) built in Python WITH their hash chain (chain.seal's
  encoding), COPYed into points.entries; the projections (balances, rule_totals, threshold
  crossings, wallets and wallet credits) computed from the same rows and COPYed beside them,
  and the chain head set to the last link, so RecordEntry appends to a ledger that verifies.
- A province: `clone_county` copies the county's rows under another county code with one
  INSERT ... SELECT per table (server-side). The clones' hashes are the source's, so their
  chains do NOT verify (the tenant is hashed); no read measured here reads a hash.
"""

from __future__ import annotations

import datetime as dt
import os
import random

TOWNSHIPS = 15
VILLAGES = 200
MEMBERS = int(os.environ.get("BENCH_POINTS_MEMBERS", "10000"))  # fewer: a quick look
ENTRIES_PER_MEMBER = 50
YEAR = 2026
RULE_SET = "chaohu-points"
# A member's year: meetings (1 point, cap 30: the 31st and later are capped at 0), themed Party
# days (2 points, cap 24) and volunteer hours (1 point and 1 exchange point, cap 20).
MEETING, THEMED, VOLUNTEER = "MEETING_ATTENDED", "THEMED_PARTY_DAY", "VOLUNTEER_HOURS"
CAPS = {MEETING: (1, 30), THEMED: (2, 24), VOLUNTEER: (1, 20)}
RECORDER = "bench-seed"
EXEMPLARY = 60  # the template's one threshold (积分优秀, at or above)


def township_id(t: int) -> str:
    return f"u-t{t:02d}"


def village_id(v: int) -> str:
    return f"u-v{v:03d}"


def member_id(i: int) -> str:
    return f"m-{i:06d}"


def village_of(i: int) -> int:
    return i % VILLAGES


def township_of_village(v: int) -> int:
    return v % TOWNSHIPS


def _copy(conn, table, columns: list[str], rows) -> int:
    n = 0
    with conn.cursor() as cur, cur.copy(f"COPY points.{table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def seed_directory(conn, tenant: str, now: dt.datetime) -> None:
    _copy(conn, "directory_tenants", ["tenant", "id", "display_name", "city_code", "city_display_name", "time_zone",
                                      "locale", "version", "applied_at"],
          [(tenant, tenant, f"基准县{tenant}", tenant[:4] + "00", "基准市", "Asia/Shanghai", "zh-CN", 1, now)])
    unit_cols = ["tenant", "id", "parent_id", "path", "depth", "type", "display_name", "state", "merged_into",
                 "weak_and_lax", "demonstration_site", "star_level", "division_code", "version", "applied_at"]
    units = [(tenant, township_id(t), None, f"/{township_id(t)}/", 0, "TOWNSHIP", f"第{t + 1}镇", "ACTIVE", None,
              False, False, 0, "", 1, now) for t in range(TOWNSHIPS)]
    units += [(tenant, village_id(v), township_id(township_of_village(v)),
               f"/{township_id(township_of_village(v))}/{village_id(v)}/", 1, "VILLAGE", f"第{v + 1}村", "ACTIVE",
               None, False, False, 0, "", 1, now) for v in range(VILLAGES)]
    _copy(conn, "directory_units", unit_cols, units)
    _copy(conn, "directory_members", ["tenant", "id", "unit_id", "display_name", "gender", "status", "category",
                                      "state", "age_band", "version", "applied_at"],
          ((tenant, member_id(i), village_id(village_of(i)), f"党员{i}", "MALE" if i % 3 else "FEMALE", "FULL",
            "ORDINARY_FARMER", "MEMBER_ACTIVE", "40-49", 1, now) for i in range(MEMBERS)))


def adopt_rules(uows, tenant: str) -> None:
    """The 巢湖 template, adopted and published from 1 January through the service layer."""
    from services.common.auth import Principal
    from services.points.domain.rule_sets import RuleSetContent
    from services.points.service_layer import commands, rule_sets

    who = Principal.operator("bench")
    rule_sets.create_rule_set(commands.CreateRuleSet(tenant, RULE_SET, "", "", RuleSetContent(None),
                                                     template="chaohu"), uows, who)
    rule_sets.publish_rule_set(commands.PublishRuleSet(tenant, RULE_SET, f"{YEAR}-01-01"), uows, who)


def _member_year(i: int) -> list[str]:
    """The rule of each of a member's 50 entries, in the order they happened."""
    rnd = random.Random(i)
    meetings, themed = rnd.randint(26, 34), rnd.randint(8, 12)
    rules = [MEETING] * meetings + [THEMED] * themed + [VOLUNTEER] * (ENTRIES_PER_MEMBER - meetings - themed)
    rnd.shuffle(rules)
    return rules


def seed_ledger(conn, tenant: str, revision, now: dt.datetime) -> tuple[int, float]:
    """The county's entries with their chain, and the projections they imply. Returns (entries, seconds
    spent hashing in Python)."""
    import time

    from services.points.adapters import tables
    from services.points.domain import chain
    from services.points.domain.ledger import Entry, EntryStatus

    start = dt.datetime(YEAR, 1, 1, 1, tzinfo=dt.UTC)
    span = (now - dt.timedelta(days=1) - start).total_seconds()
    # Entries are chained in the order they happened, as they would have been recorded.
    plan = []
    for i in range(MEMBERS):
        for k, rule in enumerate(_member_year(i)):
            plan.append((start + dt.timedelta(seconds=span * (k + random.Random(i * 64 + k).random()) /
                                              ENTRIES_PER_MEMBER), i, rule))
    plan.sort()
    columns = [c.name for c in tables.entries.c]
    used: dict[tuple[int, str], int] = {}
    counted: dict[tuple[int, str], int] = {}
    balance = [0] * MEMBERS
    crossed: dict[int, str] = {}
    wallet = [0] * MEMBERS
    credits = []
    seq, head, hashing = 0, chain.GENESIS, 0.0

    def entries():
        nonlocal seq, head, hashing
        for n, (occurred, i, rule) in enumerate(plan):
            per, cap = CAPS[rule]
            room = max(cap - used.get((i, rule), 0), 0)
            points = min(per, room)
            used[(i, rule)] = used.get((i, rule), 0) + points
            counted[(i, rule)] = counted.get((i, rule), 0) + 1
            exchange = points if rule == VOLUNTEER else 0
            capped = points < per
            entry = Entry(
                id=f"e-seed{n:08d}", tenant=tenant, member_id=member_id(i), unit_id=village_id(village_of(i)),
                rule_set_id=RULE_SET, revision=revision.revision, rule_code=rule, kind="AWARD", quantity=1,
                requested_points=per, points=points, exchange_points=exchange, occurred_at=occurred, year=YEAR,
                status=EntryStatus.COUNTED, approval_required=False, recorded_by=RECORDER,
                created_at=occurred + dt.timedelta(minutes=5), capped=capped,
                cap_reason_zh=f"已达年度上限 {cap} 分" if capped else "",
                cap_reason_en=f"the yearly cap of {cap} points is reached" if capped else "", seq=seq + 1,
                prev_hash=head)
            t0 = time.perf_counter()
            digest = chain.link_hash(head, chain.entry_fields(entry))
            hashing += time.perf_counter() - t0
            seq, head = seq + 1, digest
            balance[i] += points
            if balance[i] >= EXEMPLARY > balance[i] - points:
                crossed[i] = entry.id
            if exchange:
                wallet[i] += exchange
                credits.append((tenant, entry.id, entry.member_id, exchange, entry.created_at))
            row = {c: getattr(entry, c, None) for c in columns}
            row.update(status="COUNTED", reverses=None, reversed_by=None, batch_id="", hash=digest, decided_by="",
                       decision_reason="", decided_at=None, version=1)
            yield [row[c] for c in columns]

    count = _copy(conn, "entries", columns, entries())
    _copy(conn, "chain_heads", ["tenant", "seq", "hash"], [(tenant, seq, head)])
    _copy(conn, "balances", ["tenant", "member_id", "year", "base", "balance", "pending_up", "pending_down",
                             "pending_count", "status", "version"],
          ((tenant, member_id(i), YEAR, 0, b, 0, 0, 0, revision.status_of(b), 1)
           for i, b in enumerate(balance)))
    _copy(conn, "rule_totals", ["tenant", "member_id", "year", "rule_code", "points", "quantity", "reserved"],
          ((tenant, member_id(i), YEAR, rule, points, counted[(i, rule)], 0) for (i, rule), points in used.items()))
    _copy(conn, "threshold_crossings", ["tenant", "member_id", "year", "threshold_code", "crossed_entry_id",
                                        "crossed_at"],
          ((tenant, member_id(i), YEAR, "EXEMPLARY", entry_id, now) for i, entry_id in crossed.items()))
    _copy(conn, "wallets", ["tenant", "member_id", "earned", "spent", "version", "updated_at"],
          ((tenant, member_id(i), w, 0, 1, now) for i, w in enumerate(wallet) if w))
    _copy(conn, "wallet_credits", ["tenant", "entry_id", "member_id", "points", "credited_at"], credits)
    return count, hashing


# Tables a county's ledger and directory live in, cloned for a province.
CLONED = ("directory_tenants", "directory_units", "directory_members", "rule_sets", "rule_set_revisions",
          "chain_heads", "balances", "rule_totals", "threshold_crossings", "wallets", "wallet_credits", "entries")


def clone_county(conn, source: str, target: str) -> int:
    """Copy the county's rows under another code, server-side; returns the entries copied."""
    from services.points.adapters import tables

    copied = 0
    for name in CLONED:
        columns = [c.name for c in tables.metadata.tables[name].c]
        chosen = ", ".join("%(t)s" if c == "tenant" or (name == "directory_tenants" and c == "id") else c
                           for c in columns)
        with conn.cursor() as cur:
            cur.execute(f"INSERT INTO points.{name} ({', '.join(columns)}) SELECT {chosen} FROM points.{name} "
                        "WHERE tenant = %(s)s", {"t": target, "s": source})
            if name == "entries":
                copied = cur.rowcount
    return copied
