"""A county for the channel tests: a village with members (phones on record), an SMS-capable
template, a local HTTP server standing in for an SMS gateway or another system's webhook
receiver, and the delivery process run round by round at a chosen time."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

from partybuilding.notify.v1 import notify_service_pb2 as nspb
from partybuilding.notify.v1 import notify_settings_pb2 as setpb
from partybuilding.organization.v1 import organization_service_pb2 as opb

from services.notify.domain.messages import Channel, Recipient, RecipientKind, SourceKind
from services.notify.domain.templates import register
from services.notify.entrypoints.delivery import channels_for
from services.notify.service_layer.delivery import deliver_due
from services.notify.service_layer.messaging import compose
from tests.helpers import County

EVENT = "test.channel_notice"
register(EVENT, {"name", "what"}, {Channel.INBOX: ("提醒", "{{ name }}同志：{{ what }}"),
                                   Channel.SMS: ("提醒", "{{ name }}同志：{{ what }}")})
TIMEOUT = 0.3  # seconds the channels wait in these tests; the slow receiver answers after 1


def noon(days: int = 1) -> dt.datetime:
    """Noon in Shanghai `days` from today, as UTC: outside the default quiet hours."""
    local = dt.datetime.now(ZoneInfo("Asia/Shanghai")).replace(hour=12, minute=0, second=0, microsecond=0)
    return (local + dt.timedelta(days=days)).astimezone(dt.UTC)


class Receiver:
    """A local HTTP server answering each POST with the next scripted status (200 once the
    script runs out); "slow" answers 200 after a second, past the channels' timeout."""

    def __init__(self, script=()):
        self.script, self.calls = list(script), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.calls.append((dict(self.headers), body))
                step = receiver.script.pop(0) if receiver.script else 200
                if step == "slow":
                    time.sleep(1)
                    step = 200
                try:
                    self.send_response(step)
                    self.end_headers()
                    self.wfile.write(b"{}")
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def json(self, i: int = -1) -> dict:
        return json.loads(self.calls[i][1])

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class ChannelWorld:
    def __init__(self, platform):
        self.p, self.s = platform, platform.notify
        c = self.county = County(platform)
        self.code, self.parent, self.admin = c.code, c.parent, c.admin
        village = c.unit(opb.VILLAGE, "石堡村", c.unit(opb.TOWNSHIP, "彭镇").name)
        self.member = c.member(village.name, "王书记", phone="13812345678")
        self.no_phone = c.member(village.name, "李老党员")
        self.s.ResyncDirectory(nspb.ResyncDirectoryRequest(parent=self.parent), metadata=platform.operator())
        self.uows = platform.runtime("notify").uow_factory
        # One call at a time: a scripted receiver answers in the order the calls arrive.
        self.channels = channels_for(self.uows.organization, timeout=TIMEOUT)
        self.channels.parallel = 1
        self.events = 0

    def compose(self, channel=Channel.SMS, member=None, urgent=False, what="请按时参加主题党日", event=EVENT):
        """One event's messages (an SMS to the member by default, and the endpoints' webhooks)."""
        self.events += 1
        member = member or self.member
        recipient = Recipient(RecipientKind.MEMBER, member.name.rsplit("/", 1)[-1], member.display_name)
        with self.uows(self.code) as uow:
            made = compose(uow, source_kind=SourceKind.EVENT, source_key=f"ev-{self.events}", source_type=event,
                           data={"name": member.display_name, "what": what}, recipients=[(channel, recipient)],
                           now=dt.datetime.now(dt.UTC), urgent=urgent)
            uow.commit()
        return made

    def deliver(self, at: dt.datetime) -> None:
        """Delivery rounds at `at` until nothing due is left (other counties' messages included)."""
        while deliver_due(self.uows, self.channels, now=at, batch=100) == 100:
            pass

    def settings(self, **channels) -> setpb.NotifySettings:
        return self.s.UpdateNotifySettings(setpb.UpdateNotifySettingsRequest(
            settings=setpb.NotifySettings(name=f"{self.parent}/notifySettings",
                                          channels=setpb.ChannelSettings(**channels)),
            update_mask={"paths": [f"channels.{key}" for key in channels]}), metadata=self.admin)

    def message(self, msg):
        from partybuilding.notify.v1 import notify_channels_pb2 as cpb

        return self.s.GetMessage(cpb.GetMessageRequest(name=f"{self.parent}/messages/{msg.id}"), metadata=self.admin)
