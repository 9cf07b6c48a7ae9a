"""Webhook deliveries per second to a local receiver (issue 10), through the delivery process's
own code (claims, the signed POST, the log, the status) on PostgreSQL, with one and with two
delivery loops sharing the queue, and on SQLite with one.

The receiver is a separate process (a threading HTTP server answering 200), so it does not share
the delivery process's GIL. Messages are stored by compose() for one county with one endpoint
and the county's webhook rate limit raised out of the way. Prints, never asserts.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid

from bench.org_bench import PG_ADMIN

MESSAGES = int(os.environ.get("BENCH_WEBHOOK_MESSAGES", "2000"))
TENANT = "610222"
EVENT = "bench.webhook"


def _receive() -> None:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_port, flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()


def _seed(uows, url: str) -> None:
    from services.common.clock import utcnow
    from services.notify.domain.messages import Channel, Recipient, RecipientKind, SourceKind
    from services.notify.service_layer.messaging import compose
    from services.notify.service_layer.webhooks import CreateEndpoint, create_endpoint

    class Operator:
        subject = "bench"

    with uows(TENANT) as uow:
        uow.settings.save({"channels": {"rate_limits": {"webhook_per_minute": 100_000}}}, 1, "bench")
        uow.commit()
    create_endpoint(CreateEndpoint(TENANT, "基准接收方", url, []), uows, Operator())
    unit = Recipient(RecipientKind.UNIT, "u-1", "村")
    with uows(TENANT) as uow:
        for i in range(MESSAGES):
            compose(uow, source_kind=SourceKind.EVENT, source_key=f"ev-{i}", source_type=EVENT,
                    data={"n": i, "what": "主题党日提醒"}, recipients=[(Channel.INBOX, unit)], now=utcnow())
        uow.commit()


def _deliver(uows, loops: int) -> float:
    """Seconds until every seeded message is delivered by `loops` delivery loops."""
    from services.notify.service_layer.delivery import Channels, deliver_due

    channels = Channels(phone_of=lambda *_: "", timeout=5.0)
    at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)

    def loop():
        while deliver_due(uows, channels, now=at, batch=100):
            pass

    started = time.perf_counter()
    threads = [threading.Thread(target=loop) for _ in range(loops)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def _delivered(uows) -> int:
    from sqlalchemy import func, select

    from services.notify.adapters import tables

    with uows(TENANT, write=False) as uow:
        m = tables.messages
        return uow.conn.execute(select(func.count()).select_from(m).where(
            m.c.channel == "WEBHOOK", m.c.status == "DELIVERED")).scalar_one()


def _one(url: str, receiver_url: str, loops: int, label: str) -> str:
    from services.common.db import make_engine
    from services.common.migrate import upgrade
    from services.notify.entrypoints.runtime import uow_factory

    upgrade("notify", url)
    engine = make_engine(url, "notify", pool_size=4)
    uows = uow_factory(engine)
    _seed(uows, receiver_url)
    seconds = _deliver(uows, loops)
    done = _delivered(uows)
    engine.dispose()
    return f"  {label}: {done:,} webhooks delivered in {seconds:.1f} s = {done / seconds:,.0f} deliveries/s"


def run() -> None:
    import psycopg

    receiver = subprocess.Popen([sys.executable, "-m", "bench.webhook_bench", "--receive"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
    receiver_url = f"http://127.0.0.1:{int(receiver.stdout.readline())}/hook"
    print(f"notify webhook deliveries ({MESSAGES:,} messages, one county, one endpoint, local receiver)")
    dbs = []
    try:
        for loops in (1, 2):
            db = f"pb_bench_webhook_{uuid.uuid4().hex[:8]}"
            dbs.append(db)
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{db}"')
            url = f"postgresql+psycopg://{PG_ADMIN.split('://', 1)[1].rsplit('/', 1)[0]}/{db}"
            print(_one(url, receiver_url, loops, f"PostgreSQL, {loops} delivery loop(s)"), flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            print(_one(f"sqlite:///{tmp}/notify.sqlite3", receiver_url, 1, "SQLite, 1 delivery loop"), flush=True)
    finally:
        receiver.stdin.close()
        receiver.wait(10)
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            for db in dbs:
                conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


if __name__ == "__main__":
    _receive() if "--receive" in sys.argv else run()
