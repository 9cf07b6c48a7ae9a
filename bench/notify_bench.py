"""Notify benchmark: one notice fanned out to 10,000 villages, its status, and the reminder sweep.

Prints figures, asserts nothing (BENCH_ONLY=notify make bench). A fresh PostgreSQL database; a
county of 20 townships x 100 work stations x 5 villages (10,000 villages, each with a secretary)
in notify's directory, as the organization's events place it. Through a gRPC server in a
subprocess: SendNotice to the secretaries of every village (20 selectors, one per township:
resolve the posts, freeze 10,000 copies, the notice_sent event in the outbox), then
GetNoticeStatus on it (the first page of 500 with the whole tree's counts, and every page).
Then the reminder sweep over its 10,000 open copies three days overdue (a reminder and an
escalation each), and again (every step already stored: nothing new). Aim (issue 10): fan-out
under 5 s.
"""

from __future__ import annotations

import datetime as dt
import statistics
import sys
import time

from bench.served import fresh_database, serve, served

TENANT = "610222"
TOWNSHIPS, STATIONS, VILLAGES = 20, 100, 5  # per county, per township, per station: 10,000 villages
STATUS_CALLS = 10


def _county(uows) -> None:
    from services.common.directory.model import DirectoryPost, DirectoryTenant, DirectoryUnit

    def unit(uid: str, parent: str | None, path: str, type_: str, name: str) -> DirectoryUnit:
        return DirectoryUnit(TENANT, uid, parent, path, path.count("/") - 1, type_, name, "ACTIVE", None, False,
                             False, 0, "", 1)

    units, posts = [], []
    for t in range(TOWNSHIPS):
        units.append(unit(f"t{t}", None, f"/t{t}/", "TOWNSHIP", f"{t}号镇"))
        for s in range(STATIONS):
            sid = f"t{t}s{s}"
            units.append(unit(sid, f"t{t}", f"/t{t}/{sid}/", "WORK_STATION", f"{t}镇{s}站"))
            for v in range(VILLAGES):
                vid = f"{sid}v{v}"
                units.append(unit(vid, sid, f"/t{t}/{sid}/{vid}/", "VILLAGE", f"{t}镇{s}站{v}村"))
                posts.append(DirectoryPost(TENANT, f"p-{vid}", "SECRETARY", vid, f"m-{vid}", f"{vid}书记",
                                           dt.date(2024, 1, 1), None, None, True, 1))
    with uows(TENANT) as uow:
        uow.directory.apply_tenant(DirectoryTenant(TENANT, "宜君县", "610200", "铜川市", "Asia/Shanghai", "zh-CN", 1))
        for start in range(0, len(units), 2000):
            uow.directory.apply_units(units[start:start + 2000])
        for start in range(0, len(posts), 2000):
            uow.directory.apply_posts(posts[start:start + 2000])
        uow.commit()


def _grpc(env: dict) -> tuple[str, dt.datetime]:
    import grpc
    from google.protobuf.timestamp_pb2 import Timestamp
    from partybuilding.notify.v1 import notify_notices_pb2 as npb
    from partybuilding.notify.v1 import notify_service_pb2_grpc as ngrpc
    from partybuilding.organization.v1 import organization_resources_pb2 as opb

    from services.common.auth import mint_token
    from services.common.config import DEV_JWT_SECRET

    with served("bench.notify_bench", env) as port:
        md = [("authorization", f"Bearer {mint_token(DEV_JWT_SECRET, role='county_admin', tenants=[TENANT])}")]
        with grpc.insecure_channel(f"127.0.0.1:{port}", options=[("grpc.max_receive_message_length", 64 << 20)]) as ch:
            stub = ngrpc.NotifyServiceStub(ch)
            due = Timestamp()
            due.FromDatetime(dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
            selectors = [npb.RecipientSelector(subtree=f"tenants/{TENANT}/units/t{t}", unit_types=[opb.VILLAGE],
                                               post_types=[opb.SECRETARY]) for t in range(TOWNSHIPS)]
            request = npb.SendNoticeRequest(parent=f"tenants/{TENANT}", notice=npb.Notice(
                title="关于开展本月主题党日活动的通知", body="请各村党组织书记按时组织开展活动。", recipients=selectors,
                requires_ack=True, due_time=due), request_id="bench-fan-out")
            t0 = time.perf_counter()
            notice = stub.SendNotice(request, metadata=md, timeout=120)
            fan_out = time.perf_counter() - t0
            print(f"  SendNotice to the secretaries of {notice.recipient_count:,} villages (20 selectors: resolve, "
                  f"freeze the copies, notice_sent in the outbox): {fan_out:.2f} s (aim < 5 s)")
            times = []
            for _ in range(STATUS_CALLS):
                t0 = time.perf_counter()
                first = stub.GetNoticeStatus(npb.GetNoticeStatusRequest(name=notice.name), metadata=md, timeout=60)
                times.append((time.perf_counter() - t0) * 1000)
            print(f"  GetNoticeStatus, first page ({len(first.recipients)} of {first.counts.recipients:,}, whole "
                  f"counts, {len(first.unit_counts):,} unit rows): p50 {statistics.median(times):.0f} ms, "
                  f"max {max(times):.0f} ms over {STATUS_CALLS}")
            t0, pages, token, rows = time.perf_counter(), 0, "", 0
            while True:
                page = stub.GetNoticeStatus(npb.GetNoticeStatusRequest(name=notice.name, page_size=1000,
                                                                       page_token=token), metadata=md, timeout=60)
                pages, rows, token = pages + 1, rows + len(page.recipients), page.next_page_token
                if not token:
                    break
            print(f"  GetNoticeStatus, every page of 1000: {rows:,} rows in {pages} pages, "
                  f"{time.perf_counter() - t0:.2f} s")
            return notice.name.rsplit("/", 1)[-1], notice.due_time.ToDatetime(tzinfo=dt.UTC)


def _sweep(uows, due: dt.datetime) -> None:
    from services.common.auth import Principal
    from services.notify.service_layer import reminders

    as_of = due + dt.timedelta(days=3, hours=16)  # past the escalation (day 3, 09:00 county time)
    for label in ("first run", "again (all stored)"):
        t0 = time.perf_counter()
        counts = reminders.sweep_county(reminders.SweepReminders(TENANT, as_of), uows, Principal.operator("bench"))
        print(f"  reminder sweep, {label}: {counts.open_copies:,} open copies, {counts.reminders:,} reminders, "
              f"{counts.escalations:,} escalations, {counts.calendar:,} calendar messages (the dates within their "
              f"lead on that day) in {time.perf_counter() - t0:.2f} s")


def run() -> None:
    from services.common.config import Settings
    from services.platform import build_runtime, migrate_all

    with fresh_database("pb_bench_notify") as (db, env):
        settings = Settings.from_env(env)
        migrate_all(settings, ("notify",))
        runtime = build_runtime("notify", settings)
        print(f"\n== notify benchmark: PostgreSQL {db}, {TOWNSHIPS * STATIONS * VILLAGES:,} villages ==")
        t0 = time.perf_counter()
        _county(runtime.uow_factory)
        print(f"  directory: {TOWNSHIPS * STATIONS * (VILLAGES + 1) + TOWNSHIPS:,} units and "
              f"{TOWNSHIPS * STATIONS * VILLAGES:,} posts in {time.perf_counter() - t0:.1f} s")
        _notice_id, due = _grpc(env)
        _sweep(runtime.uow_factory, due)
        runtime.engine.dispose()


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve("notify")
    else:
        run()
