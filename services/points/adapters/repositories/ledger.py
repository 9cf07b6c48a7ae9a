"""The ledger's rows for one tenant: entries, decisions, the chain head and the projections."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from sqlalchemy import Connection, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from services.common.clock import as_utc, utcnow
from services.points.adapters import tables
from services.points.domain.chain import GENESIS, EntryDecision
from services.points.domain.ledger import Entry, EntryStatus, MemberYear

_E = tables.entries
_ENTRY_FIELDS = tuple(f.name for f in dataclasses.fields(Entry))
_DECISION_FIELDS = tuple(f.name for f in dataclasses.fields(EntryDecision))
_STREAM = 2000  # links read per round trip while verifying


def entry_of(row) -> Entry:
    m = row._mapping
    values = {name: m[name] for name in _ENTRY_FIELDS if name in m}
    values["status"] = EntryStatus(m["status"])
    values["reverses"] = m["reverses"] or ""
    values["reversed_by"] = m["reversed_by"] or ""
    values["decided_at"] = as_utc(m["decided_at"]) if m["decided_at"] else None
    values["occurred_at"] = as_utc(m["occurred_at"])
    values["created_at"] = as_utc(m["created_at"])
    return Entry(**values)


def _entry_row(entry: Entry, batch_id: str) -> dict:
    row = {name: getattr(entry, name) for name in _ENTRY_FIELDS}
    row.update(status=entry.status.value, reverses=entry.reverses or None, reversed_by=entry.reversed_by or None,
               batch_id=batch_id)
    return row


def _insert(conn: Connection, table):
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


# The projections' upserts as text: SQLAlchemy cannot cache an INSERT .. ON CONFLICT construct and
# compiled each one anew on every append (about 1 ms of CPU apiece, under the chain head's lock).
# The same SQL runs on PostgreSQL and SQLite (3.24+), and a list of parameter sets runs as one
# executemany (a batch's projections: psycopg pipelines them instead of a round trip per row).
_ADD_RULE_TOTAL = text(
    "INSERT INTO rule_totals (tenant, member_id, year, rule_code, points, quantity, reserved) "
    "VALUES (:tenant, :member_id, :year, :rule_code, :points, :quantity, :reserved) "
    "ON CONFLICT (tenant, member_id, year, rule_code) DO UPDATE SET points = rule_totals.points + excluded.points, "
    "quantity = rule_totals.quantity + excluded.quantity, reserved = rule_totals.reserved + excluded.reserved")
_SAVE_MEMBER_YEAR = text(
    "INSERT INTO balances (tenant, member_id, year, base, balance, pending_up, pending_down, pending_count, status, "
    "version) VALUES (:tenant, :member_id, :year, :base, :balance, :pending_up, :pending_down, :pending_count, "
    ":status, 1) ON CONFLICT (tenant, member_id, year) DO UPDATE SET base = excluded.base, "
    "balance = excluded.balance, pending_up = excluded.pending_up, pending_down = excluded.pending_down, "
    "pending_count = excluded.pending_count, status = excluded.status, version = balances.version + 1")


class LedgerRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant
        # Projection writes held until flush(): a batch's go out as one executemany each. Every
        # read of the projections flushes first, so a transaction always reads its own writes.
        self._rule_totals: list[dict] = []
        self._member_years: list[dict] = []

    # ------------------------------------------------------------ the chain

    def lock_chain(self) -> tuple[int, str]:
        """The county's chain head (position, hash), locked until the transaction ends."""
        h = tables.chain_heads
        query = select(h.c.seq, h.c.hash).where(h.c.tenant == self.tenant)
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update()
        row = self.conn.execute(query).first()
        if row is None:  # the county's first link: create the head (once, whoever races), then lock it
            self.conn.execute(_insert(self.conn, h).values(tenant=self.tenant, seq=0, hash=GENESIS)
                              .on_conflict_do_nothing())
            row = self.conn.execute(query).one()
        return row.seq, row.hash

    def move_head(self, seq: int, hash_: str) -> None:
        h = tables.chain_heads
        self.conn.execute(update(h).where(h.c.tenant == self.tenant).values(seq=seq, hash=hash_))

    def add_entries(self, entries: list[Entry], batch_id: str = "") -> None:
        self.conn.execute(insert(_E), [_entry_row(e, batch_id) for e in entries])

    def add_decision(self, decision: EntryDecision) -> None:
        self.conn.execute(insert(tables.entry_decisions), [dataclasses.asdict(decision)])

    # ------------------------------------------------------------ entries

    def get(self, entry_id: str) -> Entry | None:
        row = self.conn.execute(select(_E).where(_E.c.tenant == self.tenant, _E.c.id == entry_id)).first()
        return None if row is None else entry_of(row)

    def batch_of(self, entry_id: str) -> list[Entry]:
        """The entries of the batch an entry was recorded in, in the batch's order."""
        batch_id = (select(_E.c.batch_id).where(_E.c.tenant == self.tenant, _E.c.id == entry_id)
                    .scalar_subquery())
        rows = self.conn.execute(select(_E).where(_E.c.tenant == self.tenant, _E.c.batch_id == batch_id)
                                 .order_by(_E.c.seq))
        return [entry_of(row) for row in rows]

    def reversal_of(self, entry_id: str) -> str:
        """The id of the reversal that cancelled an entry, or ""."""
        found = self.conn.execute(select(_E.c.id).where(_E.c.tenant == self.tenant, _E.c.reverses == entry_id))
        return found.scalar() or ""

    def decide(self, entry: Entry, status: EntryStatus, decided_by: str, reason: str, at) -> None:
        self.conn.execute(update(_E).where(_E.c.tenant == self.tenant, _E.c.id == entry.id).values(
            status=status.value, decided_by=decided_by, decision_reason=reason, decided_at=at,
            version=_E.c.version + 1))

    def mark_reversed(self, entry_id: str, reversal_id: str) -> None:
        self.conn.execute(update(_E).where(_E.c.tenant == self.tenant, _E.c.id == entry_id).values(
            status=EntryStatus.REVERSED.value, reversed_by=reversal_id, version=_E.c.version + 1))

    # ------------------------------------------------------------ projections

    def member_years(self, member_ids: list[str], year: int) -> dict[str, MemberYear]:
        return {member_id: state for member_id, (state, _) in self.member_years_with_status(member_ids, year).items()}

    def member_years_with_status(self, member_ids: list[str], year: int) -> dict[str, tuple[MemberYear, str]]:
        """The stored member-years and their statuses, in one read."""
        self.flush()
        b = tables.balances
        rows = self.conn.execute(select(b).where(b.c.tenant == self.tenant, b.c.year == year,
                                                 b.c.member_id.in_(member_ids)))
        return {row.member_id: (MemberYear(row.base, row.balance, row.pending_up, row.pending_down,
                                           row.pending_count), row.status) for row in rows}

    def save_member_year(self, member_id: str, year: int, state: MemberYear, status: str) -> None:
        self._member_years.append(dict(
            tenant=self.tenant, member_id=member_id, year=year, base=state.base, balance=state.balance,
            pending_up=state.pending_up, pending_down=state.pending_down, pending_count=state.pending_count,
            status=status))

    def flush(self) -> None:
        """Write the held projection changes (Posting does, before it moves the chain head)."""
        if self._rule_totals:
            rows, self._rule_totals = self._rule_totals, []
            self.conn.execute(_ADD_RULE_TOTAL, rows)
        if self._member_years:
            rows, self._member_years = self._member_years, []
            self.conn.execute(_SAVE_MEMBER_YEAR, rows)

    def rule_used(self, member_ids: list[str], year: int, rule_code: str) -> dict[str, int]:
        """Per member: the magnitude of this rule's counted and reserved points this year."""
        self.flush()
        r = tables.rule_totals
        rows = self.conn.execute(select(r.c.member_id, r.c.points, r.c.reserved).where(
            r.c.tenant == self.tenant, r.c.year == year, r.c.rule_code == rule_code, r.c.member_id.in_(member_ids)))
        return {row.member_id: abs(row.points) + abs(row.reserved) for row in rows}

    def add_rule_total(self, member_id: str, year: int, rule_code: str, *, points: int = 0, quantity: int = 0,
                       reserved: int = 0) -> None:
        self._rule_totals.append(dict(tenant=self.tenant, member_id=member_id, year=year, rule_code=rule_code,
                                      points=points, quantity=quantity, reserved=reserved))

    def cross(self, member_id: str, year: int, code: str, entry_id: str) -> bool:
        """Record a threshold's first crossing this year; False when it was crossed before."""
        c = tables.threshold_crossings
        stmt = _insert(self.conn, c).values(tenant=self.tenant, member_id=member_id, year=year, threshold_code=code,
                                            crossed_entry_id=entry_id, crossed_at=utcnow())
        return self.conn.execute(stmt.on_conflict_do_nothing().returning(c.c.member_id)).first() is not None

    def clear(self, member_id: str, year: int, code: str, entry_id: str) -> bool:
        """Record that a crossed threshold is no longer met; False when never crossed or cleared before."""
        c = tables.threshold_crossings
        result = self.conn.execute(update(c).where(
            c.c.tenant == self.tenant, c.c.member_id == member_id, c.c.year == year, c.c.threshold_code == code,
            c.c.cleared_at.is_(None)).values(cleared_entry_id=entry_id, cleared_at=utcnow()))
        return result.rowcount == 1

    # ------------------------------------------------------------ verification

    def links(self) -> Iterator[Entry | EntryDecision]:
        """Every link of the county's chain in order, entries and decisions merged by position."""
        d = tables.entry_decisions
        after = 0
        while True:
            found: list = [entry_of(row) for row in self.conn.execute(
                select(_E).where(_E.c.tenant == self.tenant, _E.c.seq > after).order_by(_E.c.seq).limit(_STREAM))]
            upto = found[-1].seq if len(found) == _STREAM else None
            query = select(d).where(d.c.tenant == self.tenant, d.c.seq > after)
            if upto is not None:
                query = query.where(d.c.seq <= upto)
            for row in self.conn.execute(query.order_by(d.c.seq)):
                m = row._mapping
                found.append(EntryDecision(**{**{n: m[n] for n in _DECISION_FIELDS},
                                              "decided_at": as_utc(m["decided_at"])}))
            if not found:
                return
            found.sort(key=lambda link: link.seq)
            yield from found
            if upto is None:
                return
            after = upto

    def projection_mismatches(self) -> list[tuple[str, int, int, int]]:
        """(member, year, stored, base + counted sum) for every member-year whose balance is off."""
        self.flush()
        b = tables.balances
        sums = (select(_E.c.member_id, _E.c.year, func.sum(_E.c.points).label("counted"))
                .where(_E.c.tenant == self.tenant,
                       _E.c.status.in_([EntryStatus.COUNTED.value, EntryStatus.REVERSED.value]))
                .group_by(_E.c.member_id, _E.c.year).subquery())
        rows = self.conn.execute(
            select(b.c.member_id, b.c.year, b.c.balance, b.c.base, sums.c.counted)
            .select_from(b.outerjoin(sums, (sums.c.member_id == b.c.member_id) & (sums.c.year == b.c.year)))
            .where(b.c.tenant == self.tenant))
        return [(row.member_id, row.year, row.balance, row.base + (row.counted or 0))
                for row in rows if row.balance != row.base + (row.counted or 0)]

    def count_balances(self) -> int:
        self.flush()
        b = tables.balances
        return self.conn.execute(select(func.count()).select_from(b).where(b.c.tenant == self.tenant)).scalar_one()

