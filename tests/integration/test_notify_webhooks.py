"""Webhook endpoints of other government systems, on SQLite and PostgreSQL: the CRUD RPCs (URL
http(s) only, the secret answered once), a message per matching endpoint from compose(), signed
POSTs to a real local server that fails, times out and recovers, the delivery log, disabling
after repeated failure and enabling again."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import grpc
import pytest
from partybuilding.notify.v1 import notify_channels_pb2 as cpb
from partybuilding.notify.v1 import notify_messages_pb2 as mpb

from services.notify.domain.messages import Channel
from tests.helpers import expect
from tests.integration.channel_world import EVENT, ChannelWorld, Receiver, noon

BAD = grpc.StatusCode.INVALID_ARGUMENT
M = mpb.Message


@pytest.fixture()
def w(platform) -> ChannelWorld:
    return ChannelWorld(platform)


@pytest.fixture()
def receiver():
    found = Receiver()
    yield found
    found.close()


def _create(w, url, event_types=(EVENT,), request_id="", **fields) -> cpb.WebhookEndpoint:
    return w.s.CreateWebhookEndpoint(cpb.CreateWebhookEndpointRequest(
        parent=w.parent, request_id=request_id, webhook_endpoint=cpb.WebhookEndpoint(
            display_name=fields.pop("display_name", "县纪委监督平台"), url=url, event_types=list(event_types),
            **fields)), metadata=w.admin)


def _update(w, endpoint, paths, **fields):
    return w.s.UpdateWebhookEndpoint(cpb.UpdateWebhookEndpointRequest(
        webhook_endpoint=cpb.WebhookEndpoint(name=endpoint.name, **fields), update_mask={"paths": paths}),
        metadata=w.admin)


def _get(w, endpoint) -> cpb.WebhookEndpoint:
    return w.s.GetWebhookEndpoint(cpb.GetWebhookEndpointRequest(name=endpoint.name), metadata=w.admin)


def _log(w, endpoint) -> list:
    return list(w.s.ListWebhookDeliveries(cpb.ListWebhookDeliveriesRequest(parent=endpoint.name),
                                          metadata=w.admin).deliveries)


def test_an_endpoint_is_created_with_its_secret_shown_once(w, receiver):
    created = _create(w, receiver.url, request_id="r-1")
    assert created.secret.startswith("whsec_") and created.enabled
    assert _create(w, receiver.url, request_id="r-1").name == created.name  # a retry answers the first
    assert _get(w, created).secret == ""
    listed = w.s.ListWebhookEndpoints(cpb.ListWebhookEndpointsRequest(parent=w.parent), metadata=w.admin)
    assert [e.name for e in listed.webhook_endpoints] == [created.name]
    assert all(e.secret == "" for e in listed.webhook_endpoints)


def test_bad_endpoints_name_the_field(w, receiver):
    for url in ("ftp://example.cn/hook", "javascript:alert(1)", "http://", "https://user:pw@example.cn/x", ""):
        expect(BAD, _create, w, url, field="webhook_endpoint.url")
    expect(BAD, _create, w, receiver.url, event_types=["Points Threshold"], field="webhook_endpoint.event_types[0]")
    expect(BAD, _create, w, receiver.url, display_name="", field="webhook_endpoint.display_name")
    created = _create(w, receiver.url)
    expect(BAD, _update, w, created, ["url"], url="file:///etc/passwd", field="webhook_endpoint.url")
    expect(BAD, _update, w, created, ["secret"], secret="x", field="update_mask")
    expect(grpc.StatusCode.ABORTED, _update, w, created, ["display_name"], display_name="新", etag='"9"')
    w.s.DeleteWebhookEndpoint(cpb.DeleteWebhookEndpointRequest(name=created.name), metadata=w.admin)
    expect(grpc.StatusCode.NOT_FOUND, _get, w, created)


def test_a_matching_event_is_posted_signed_and_logged(w, receiver):
    endpoint = _create(w, receiver.url, event_types=["test.*"])
    other = _create(w, receiver.url, event_types=["points.goods_restocked"])
    made = w.compose(channel=Channel.INBOX)
    webhooks = [m for m in made if m.channel is Channel.WEBHOOK]
    assert [m.recipient.id for m in webhooks] == [endpoint.name.rsplit("/", 1)[-1]]
    at = noon()
    w.deliver(at)
    [(headers, body)] = receiver.calls
    stamp = headers["X-Partybuilding-Timestamp"]
    expected = hmac.new(endpoint.secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert headers["X-Partybuilding-Signature"] == f"sha256={expected}"
    assert (headers["X-Partybuilding-Event"], json.loads(body)) == (EVENT, {"name": "王书记", "what": "请按时参加主题党日"})
    shown = w.message(webhooks[0])
    assert (shown.status, shown.address, shown.recipient) == (M.DELIVERED, receiver.url, endpoint.name)
    [logged] = _log(w, endpoint)
    assert (logged.status_code, logged.outcome, logged.attempt, logged.message) == (
        200, "DELIVERED", 1, shown.name)
    assert _log(w, other) == []
    # Another event type reaches the other endpoint only (and no inbox: it has no template here).
    [points] = w.compose(channel=Channel.INBOX, event="points.goods_restocked")
    assert (points.channel, points.recipient.id) == (Channel.WEBHOOK, other.name.rsplit("/", 1)[-1])


def test_failures_and_timeouts_are_retried_with_backoff_until_the_receiver_recovers(w, receiver):
    receiver.script = [500, "slow"]
    endpoint = _create(w, receiver.url)
    [msg] = [m for m in w.compose(channel=Channel.INBOX) if m.channel is Channel.WEBHOOK]
    at = noon()
    w.deliver(at)
    assert w.message(msg).next_attempt_time.ToDatetime(dt.UTC) == at + dt.timedelta(seconds=30)
    w.deliver(at + dt.timedelta(seconds=30))
    assert w.message(msg).next_attempt_time.ToDatetime(dt.UTC) == at + dt.timedelta(seconds=90)  # 30 s, then 60 s
    w.deliver(at + dt.timedelta(seconds=90))
    assert (w.message(msg).status, w.message(msg).attempts) == (M.DELIVERED, 3)
    log = _log(w, endpoint)  # newest first
    assert [(d.status_code, d.outcome) for d in log] == [(200, "DELIVERED"), (0, "RETRY"), (500, "RETRY")]
    assert "timeout" in log[1].error and all(d.duration_ms >= 0 for d in log)
    assert _get(w, endpoint).consecutive_failures == 0


def test_an_endpoint_failing_again_and_again_is_disabled_with_a_reason_and_enabled_by_update(w, receiver):
    receiver.script = [503] * 3
    w.settings(retry=cpb.RetryPolicy(webhook_failures_to_disable=3, max_attempts=2))
    endpoint = _create(w, receiver.url)
    first, second = ([m for m in w.compose(channel=Channel.INBOX) if m.channel is Channel.WEBHOOK][0]
                     for _ in range(2))
    at = noon()
    w.deliver(at)  # two failures
    w.deliver(at + dt.timedelta(seconds=30))  # the third: disabled
    disabled = _get(w, endpoint)
    assert (disabled.enabled, disabled.consecutive_failures) == (False, 3)
    assert "3" in disabled.disabled_reason and "HTTP 503" in disabled.disabled_reason
    assert {w.message(first).status, w.message(second).status} == {M.FAILED}
    assert [m for m in w.compose(channel=Channel.INBOX) if m.channel is Channel.WEBHOOK] == []  # no new messages
    enabled = _update(w, disabled, ["enabled"], enabled=True)
    assert (enabled.enabled, enabled.disabled_reason, enabled.consecutive_failures) == (True, "", 0)
    [later] = [m for m in w.compose(channel=Channel.INBOX) if m.channel is Channel.WEBHOOK]
    w.deliver(at + dt.timedelta(minutes=5))
    assert w.message(later).status == M.DELIVERED


def test_messages_to_a_deleted_endpoint_fail_saying_so(w, receiver):
    endpoint = _create(w, receiver.url)
    [msg] = [m for m in w.compose(channel=Channel.INBOX) if m.channel is Channel.WEBHOOK]
    w.s.DeleteWebhookEndpoint(cpb.DeleteWebhookEndpointRequest(name=endpoint.name), metadata=w.admin)
    w.deliver(noon())
    gone = w.message(msg)
    assert (gone.status, "deleted" in gone.status_reason, receiver.calls) == (M.FAILED, True, [])


def test_list_messages_filters_by_channel_status_and_recipient_and_pages(w, receiver):
    endpoint = _create(w, receiver.url)
    for _ in range(3):
        w.compose()  # an SMS to the member and a webhook each
    listing = lambda **f: w.s.ListMessages(cpb.ListMessagesRequest(parent=w.parent, **f), metadata=w.admin)  # noqa: E731
    assert len(listing().messages) == 6
    assert {m.channel for m in listing(channel=M.WEBHOOK).messages} == {M.WEBHOOK}
    assert len(listing(recipient=endpoint.name).messages) == 3
    assert len(listing(recipient=w.member.name, status=M.QUEUED).messages) == 3
    first = listing(page_size=4)
    rest = listing(page_size=4, page_token=first.next_page_token)
    assert (len(first.messages), len(rest.messages), rest.next_page_token) == (4, 2, "")
    assert len({m.name for m in [*first.messages, *rest.messages]}) == 6
    expect(BAD, listing, page_size=4, page_token=first.next_page_token, channel=M.SMS, field="page_token")
    expect(BAD, listing, recipient=f"{w.parent}/notices/n-1", field="recipient")
    expect(grpc.StatusCode.NOT_FOUND, w.s.GetMessage, cpb.GetMessageRequest(name=f"{w.parent}/messages/msg-x"),
           metadata=w.admin)


def test_the_delivery_loop_that_pbctl_serve_runs_delivers_on_its_own_and_stops(w, receiver):
    from services.notify.entrypoints.delivery import DeliveryLoop
    from tests.helpers import wait_for

    _create(w, receiver.url)
    [msg] = [m for m in w.compose(channel=Channel.INBOX) if m.channel is Channel.WEBHOOK]
    loop = DeliveryLoop(w.uows, w.channels, poll_seconds=0.05).start()
    try:
        wait_for(lambda: w.message(msg).status == M.DELIVERED, timeout=30, what="the webhook delivered")
    finally:
        loop.stop()
    assert not loop.thread.is_alive()
