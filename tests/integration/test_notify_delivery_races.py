"""Two delivery processes on one PostgreSQL queue never send one message twice (claims skip the
rows the other holds, then lease them); SQLite runs one process and is not raced here."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from partybuilding.notify.v1 import notify_messages_pb2 as mpb

from services.notify.domain.messages import Channel
from services.notify.service_layer.delivery import deliver_due
from tests.integration.channel_world import ChannelWorld, Receiver, noon


def test_two_processes_share_the_queue_and_each_message_is_posted_once(platform):
    if platform.backend != "postgres":
        pytest.skip("one delivery process on SQLite")
    w, receiver = ChannelWorld(platform), Receiver()
    try:
        from partybuilding.notify.v1 import notify_channels_pb2 as cpb

        endpoint = w.s.CreateWebhookEndpoint(cpb.CreateWebhookEndpointRequest(
            parent=w.parent, webhook_endpoint=cpb.WebhookEndpoint(display_name="平台", url=receiver.url)),
            metadata=w.admin)
        made = [m for _ in range(40) for m in w.compose(channel=Channel.INBOX) if m.channel is Channel.WEBHOOK]
        at = noon()
        w.channels.parallel = 4  # and calls in flight together inside each process

        def process(_):
            while deliver_due(w.uows, w.channels, now=at, batch=5):
                pass

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(process, range(2)))
        posted = [headers["X-Partybuilding-Delivery"] for headers, _ in receiver.calls]
        assert sorted(posted) == sorted(m.id for m in made)
        assert {w.message(m).status for m in made} == {mpb.Message.DELIVERED}
        # Failures finishing together add up on the endpoint (its row is locked while counted).
        receiver.script = [500] * 8
        for _ in range(8):
            w.compose(channel=Channel.INBOX)
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(process, range(2)))
        found = w.s.GetWebhookEndpoint(cpb.GetWebhookEndpointRequest(name=endpoint.name), metadata=w.admin)
        assert found.consecutive_failures == 8
    finally:
        receiver.close()
