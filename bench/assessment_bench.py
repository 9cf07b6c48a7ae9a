"""Assessment benchmark: finalizing rounds (score, cap, rank, write results) on PostgreSQL.

Prints figures, asserts nothing (BENCH_ONLY=assessment make bench). A fresh database; a county
round (300 villages x 50 indicators x 3 sources) and a province-sized one (20,000 villages) of
the same scheme, their scores copied straight into round_scores (the bench measures finalizing,
not 3 million SubmitScores calls). For each: the finalize transaction as AdvanceRound runs it,
and one SQL query computing the same weighted sums and ranks in the database, for the ratio.
Then, through a gRPC server in a subprocess, ListResults latency and PreviewResults on the
county round. Aims (issue 9): county < 1 s, province < 30 s, county preview < 1 s.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import statistics
import sys
import time
from decimal import Decimal as D

from bench.served import fresh_database, serve, served

COUNTY, PROVINCE = "610222", "610223"
DIMENSIONS, PER_DIMENSION = 5, 10  # 50 indicators
SOURCES = (("ORGANIZATION", 60), ("MASS", 30), ("SELF", 10))
VILLAGES_PER_TOWNSHIP = 20
LATENCY_CALLS = 200


def _scheme(tenant: str):
    from services.assessment.domain import scheme as s

    dims = tuple(s.Dimension(f"D{d}", f"维度{d}", f"dim {d}", D(100 // DIMENSIONS), tuple(
        s.Indicator(f"I{d}_{k}", f"指标{d}-{k}", f"ind {d}-{k}", D(10), s.Method.MANUAL)
        for k in range(PER_DIMENSION))) for d in range(DIMENSIONS))
    grades = (s.GradeBand("FIVE_STAR", "五星", "5", D(90), 5), s.GradeBand("FOUR_STAR", "四星", "4", D(80), 4),
              s.GradeBand("THREE_STAR", "三星", "3", D(70), 3), s.GradeBand("TWO_STAR", "二星", "2", D(60), 2),
              s.GradeBand("ONE_STAR", "一星", "1", D(0), 1))
    return s.Scheme(
        tenant=tenant, id="stars", revision=1, state=s.State.DRAFT, display_name="评星定级", description="bench",
        target_kind=s.TargetKind.VILLAGE_ORG, period_kind=s.PeriodKind.YEAR, dimensions=dims,
        sources=tuple(s.Source(code, code, code, D(w)) for code, w in SOURCES),
        negative_items=(s.NegativeItem("BRIBERY", "拉票贿选", "vote buying", s.Effect.CAP, cap_grade="THREE_STAR"),),
        grades=grades,
        stages=(s.Stage("SCORE", "评分", "scoring", s.StageKind.SCORING, (s.Actor.COUNTY,), tuple(c for c, _ in SOURCES)),),
        result_rules=s.ResultRules(commend_grades=("FIVE_STAR",), weak_at_or_below="ONE_STAR", sets_star_level=True))


def _county(uows, tenant: str, villages: int) -> None:
    """The county and its townships of 20 villages in the assessment directory (as the organization's
    events place them; finalize reads the county's time zone for the cases it opens)."""
    from services.common.directory.model import DirectoryTenant, DirectoryUnit

    def unit(uid: str, parent: str | None, path: str, type_: str, name: str) -> DirectoryUnit:
        return DirectoryUnit(tenant, uid, parent, path, path.count("/") - 1, type_, name, "ACTIVE", None, False,
                             False, 0, "", 1)

    units = []
    for t in range((villages + VILLAGES_PER_TOWNSHIP - 1) // VILLAGES_PER_TOWNSHIP):
        units.append(unit(f"t{t}", None, f"/t{t}/", "TOWNSHIP", f"{t}号镇"))
    units += [unit(f"v{i}", f"t{i // VILLAGES_PER_TOWNSHIP}", f"/t{i // VILLAGES_PER_TOWNSHIP}/v{i}/", "VILLAGE",
                   f"{i}号村") for i in range(villages)]
    with uows(tenant) as uow:
        uow.directory.apply_tenant(DirectoryTenant(tenant, f"{tenant}县", tenant[:4] + "00", "", "Asia/Shanghai",
                                                   "zh-CN", 1))
        for start in range(0, len(units), 2000):
            uow.directory.apply_units(units[start:start + 2000])
        uow.commit()


def _round(uows, tenant: str) -> str:
    from services.assessment.service_layer import commands, round_commands, rounds, schemes
    from services.common.auth import Principal

    who = Principal.operator("bench")
    schemes.create_scheme(commands.CreateScheme(tenant, "stars", _scheme(tenant)), uows, who)
    schemes.publish_scheme(commands.PublishScheme(tenant, "stars"), uows, who)
    view = rounds.create_round(round_commands.CreateRound(tenant, "stars", 1, "2026年度评星定级", "2026", ""), uows, who)
    return view.round.id


def _copy_scores(dsn: str, tenant: str, round_id: str, villages: int, rng: random.Random) -> int:
    """Every (village, source, indicator) value, COPYed in (integer hundredths, 0..10 points)."""
    import psycopg

    now = dt.datetime.now(dt.UTC).isoformat()
    buffer = io.StringIO()
    rows = 0
    for i in range(villages):
        skill = rng.uniform(0.45, 1.0)  # a village's overall strength, so grades spread
        for d in range(DIMENSIONS):
            for k in range(PER_DIMENSION):
                for source, _ in SOURCES:
                    value = max(0, min(1000, int(rng.gauss(skill * 1000, 120))))
                    buffer.write(f"{tenant}\t{round_id}\tv{i}\t{source}\tI{d}_{k}\t{value}\t\tbench\t{now}\n")
                    rows += 1
    buffer.seek(0)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SET search_path TO assessment")
        with cur.copy("COPY round_scores (tenant, round_id, target_id, source, indicator, value_centi, note, "
                      "submitted_by, submitted_at) FROM STDIN") as copy:
            while chunk := buffer.read(1 << 20):
                copy.write(chunk)
        cur.execute("ANALYZE round_scores")
    return rows


def _finalize(uows, tenant: str, round_id: str) -> float:
    """AdvanceRound out of the round's last stage, as a county admin calls it: the leaving checks
    (SQL aggregates), then finalizing (score, cap, rank, write results, rule events, cases); seconds."""
    from services.assessment.service_layer import round_commands, rounds
    from services.common.auth import Principal

    started = time.perf_counter()
    rounds.advance_round(round_commands.AdvanceRound(tenant, round_id), uows, Principal.operator("bench"))
    return time.perf_counter() - started


def _cases(uows, tenant: str) -> int:
    from sqlalchemy import func, select

    from services.assessment.adapters import tables

    with uows(tenant, write=False) as uow:
        return uow.conn.execute(select(func.count()).select_from(tables.cases)
                                .where(tables.cases.c.tenant == tenant)).scalar_one()


SQL = """
WITH w(source, weight) AS (VALUES ('ORGANIZATION', 60), ('MASS', 30), ('SELF', 10)),
indicator AS (
  SELECT s.target_id, s.indicator, SUM(s.value_centi * w.weight) / 100.0 AS score
  FROM round_scores s JOIN w ON w.source = s.source
  WHERE s.tenant = %(tenant)s AND s.round_id = %(round)s
  GROUP BY s.target_id, s.indicator),
total AS (
  SELECT target_id, ROUND(SUM(score) * %(factor)s::numeric / 100.0, 2) AS total FROM indicator GROUP BY target_id)
SELECT target_id, total, RANK() OVER (ORDER BY total DESC) FROM total
"""


def _sql(dsn: str, tenant: str, round_id: str) -> tuple[float, int]:
    """The same weighted sums and ranks in one query (all-MANUAL indicators, so values are points)."""
    import psycopg

    # Each dimension is worth 100/DIMENSIONS of its PER_DIMENSION x 10 points: one factor for all.
    factor = (100 / DIMENSIONS) / (PER_DIMENSION * 10)
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("SET search_path TO assessment")
        started = time.perf_counter()
        cur.execute(SQL, {"tenant": tenant, "round": round_id, "factor": factor})
        rows = cur.fetchall()
        return time.perf_counter() - started, len(rows)


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _grpc(env: dict, county_round: str, province_round: str) -> None:
    import grpc
    from partybuilding.assessment.v1 import assessment_results_pb2 as spb
    from partybuilding.assessment.v1 import assessment_service_pb2_grpc as agrpc

    from services.common.auth import mint_token
    from services.common.config import DEV_JWT_SECRET

    with served("bench.assessment_bench", env) as port:
        md = [("authorization", f"Bearer {mint_token(DEV_JWT_SECRET, role='operator', tenants=['*'])}")]
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = agrpc.AssessmentServiceStub(channel)
            rng = random.Random(3)
            for label, tenant, round_id, townships in (("county", COUNTY, county_round, 15),
                                                       ("province", PROVINCE, province_round, 1000)):
                parent = f"tenants/{tenant}/rounds/{round_id}"
                requests = [spb.ListResultsRequest(parent=parent, page_size=50) for _ in range(LATENCY_CALLS // 2)]
                requests += [spb.ListResultsRequest(parent=parent, township=f"tenants/{tenant}/units/t{rng.randrange(townships)}",
                                                    page_size=50) for _ in range(LATENCY_CALLS // 2)]
                stub.ListResults(requests[0], metadata=md)  # warm up
                times = []
                for request in requests:
                    t0 = time.perf_counter()
                    stub.ListResults(request, metadata=md, timeout=30)
                    times.append((time.perf_counter() - t0) * 1000)
                print(f"  ListResults ({label} round, 50 a page, whole round or one township): "
                      f"p50 {statistics.median(times):.1f} ms, p99 {_pct(times, 99):.1f} ms")
            preview = spb.PreviewResultsRequest(round=f"tenants/{COUNTY}/rounds/{county_round}")
            preview.weight_overrides.dimension_weights.update({"D0": 40, "D1": 15, "D2": 15, "D3": 15, "D4": 15})
            times, movers = [], 0
            for _ in range(5):
                t0 = time.perf_counter()
                movers = stub.PreviewResults(preview, metadata=md, timeout=60).mover_count
                times.append(time.perf_counter() - t0)
            print(f"  PreviewResults (county round, D0 weighted 40 %): {statistics.median(times) * 1000:.0f} ms "
                  f"median of 5, {movers} of 300 villages move")


def run() -> None:
    from services.common.config import Settings
    from services.platform import build_runtime, migrate_all

    with fresh_database("pb_bench_assess") as (db, env):
        dsn = f"postgresql://postgres@127.0.0.1:5432/{db}"
        settings = Settings.from_env(env)
        migrate_all(settings, ("assessment",))
        runtime = build_runtime("assessment", settings)
        uows = runtime.uow_factory
        print(f"\n== assessment benchmark: PostgreSQL {db}, {DIMENSIONS * PER_DIMENSION} indicators x "
              f"{len(SOURCES)} sources ==")
        rng = random.Random(11)
        made = {}
        for label, tenant, villages in (("county", COUNTY, 300), ("province", PROVINCE, 20_000)):
            t0 = time.perf_counter()
            _county(uows, tenant, villages)
            round_id = _round(uows, tenant)
            values = _copy_scores(dsn, tenant, round_id, villages, rng)
            print(f"  {label}: {villages:,} villages, {values:,} values loaded in {time.perf_counter() - t0:.1f} s")
            finalize = _finalize(uows, tenant, round_id)
            sql, ranked = _sql(dsn, tenant, round_id)
            print(f"  {label}: AdvanceRound finalizing (checks, read values, score, cap, rank, write results, "
                  f"events, {_cases(uows, tenant):,} weak villages' cases) {finalize:.2f} s; "
                  f"one SQL query for the weighted sums and ranks {sql * 1000:.0f} ms ({ranked:,} rows): "
                  f"ratio {finalize / sql:.1f}x")
            made[label] = round_id
        runtime.engine.dispose()
        _grpc(env, made["county"], made["province"])


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve("assessment")
    else:
        run()
