"""SMS through the delivery process, on SQLite and PostgreSQL: the county's gateway settings (the
key never answered), the sink by default, a generic HTTP gateway on a local server that accepts,
refuses, fails and times out, quiet hours, rate limits, retries and the phone looked up at
delivery time through the organization with notify's own account, never stored in clear."""

from __future__ import annotations

import datetime as dt

import grpc
import pytest
from partybuilding.notify.v1 import notify_channels_pb2 as cpb
from partybuilding.notify.v1 import notify_messages_pb2 as mpb
from partybuilding.notify.v1 import notify_settings_pb2 as setpb
from sqlalchemy import select

from services.notify.adapters import tables
from tests.helpers import expect
from tests.integration.channel_world import ChannelWorld, Receiver, noon

BAD = grpc.StatusCode.INVALID_ARGUMENT
M = mpb.Message
SIGN = "【宜君县委组织部】"


@pytest.fixture()
def w(platform) -> ChannelWorld:
    return ChannelWorld(platform)


def _sink(w) -> list:
    return list(w.s.ListSmsSink(cpb.ListSmsSinkRequest(parent=w.parent), metadata=w.admin).entries)


def test_without_a_gateway_the_sink_takes_the_text_with_the_signature_and_a_masked_phone(w):
    w.settings(sms=cpb.SmsGatewaySettings(signature=SIGN))
    [msg] = w.compose()
    w.deliver(noon())
    [entry] = _sink(w)
    assert (entry.phone, entry.text, entry.segments) == ("138****5678", f"{SIGN}王书记同志：请按时参加主题党日", 1)
    shown = w.message(msg)
    assert (shown.status, shown.address, shown.attempts) == (M.SENT, "138****5678", 1)
    with w.uows(w.code, write=False) as uow:  # the phone is nowhere in clear
        rows = uow.conn.execute(select(tables.messages.c.address, tables.messages.c.body)).all()
        assert not any("13812345678" in (row.address + row.body) for row in rows)


def test_a_long_text_goes_in_parts_and_is_cut_at_the_most_parts_allowed(w):
    w.settings(sms=cpb.SmsGatewaySettings(signature=SIGN, max_segments=2))
    w.compose(what="请" * 150)
    w.compose(what="好" * 60)
    w.deliver(noon())
    two, cut = sorted(_sink(w), key=lambda e: len(e.text))
    assert (two.segments, len(two.text)) == (2, len(SIGN) + len("王书记同志：") + 60)
    assert (cut.segments, len(cut.text), cut.text[-1]) == (2, 134, "…")


def test_the_gateway_key_is_stored_sealed_and_only_said_to_be_set(w):
    found = w.settings(sms=cpb.SmsGatewaySettings(url="https://sms.example.cn/send", key="k-secret", signature=SIGN))
    assert (found.channels.sms.key, found.channels.sms.key_set) == ("", True)
    with w.uows(w.code, write=False) as uow:
        doc = uow.conn.execute(select(tables.notify_settings.c.doc).where(
            tables.notify_settings.c.tenant == w.code)).scalar_one()
    assert "k-secret" not in doc and "key_sealed" in doc
    # Read back and applied again (key_set, no key): the key stays; the signature changes.
    again = w.settings(sms=cpb.SmsGatewaySettings(url="https://sms.example.cn/send", key_set=True, signature="【宜君】"))
    assert (again.channels.sms.key_set, again.channels.sms.signature) == (True, "【宜君】")
    gone = w.settings(sms=cpb.SmsGatewaySettings(url="https://sms.example.cn/send", signature=SIGN))
    assert not gone.channels.sms.key_set


def test_bad_channel_settings_name_the_field(w):
    expect(BAD, w.settings, sms=cpb.SmsGatewaySettings(url="ftp://sms.example.cn", signature=SIGN),
           field="settings.channels.sms.url")
    expect(BAD, w.settings, sms=cpb.SmsGatewaySettings(url="https://sms.example.cn"),
           field="settings.channels.sms.signature")
    expect(BAD, w.settings, quiet_hours=cpb.QuietHours(start="25:00"), field="settings.channels.quiet_hours.start")
    expect(BAD, w.settings, sms=cpb.SmsGatewaySettings(segment_length=5), field="settings.channels.sms.segment_length")
    expect(BAD, w.settings, retry=cpb.RetryPolicy(max_attempts=0), field="settings.channels.retry.max_attempts")
    expect(BAD, w.settings, sms=cpb.SmsGatewaySettings(signature="【宜君\u202e】"),
           field="settings.channels.sms.signature")
    defaults = w.s.GetNotifySettings(setpb.GetNotifySettingsRequest(name=f"{w.parent}/notifySettings"),
                                     metadata=w.admin).channels
    assert (defaults.quiet_hours.start, defaults.rate_limits.sms_per_minute, defaults.retry.max_attempts) == (
        "22:00", 60, 5)


def test_the_http_gateway_sends_refuses_retries_and_times_out(w):
    gateway = Receiver([200, 400, 503, "slow"])
    try:
        w.settings(sms=cpb.SmsGatewaySettings(url=gateway.url, key="k-1", signature=SIGN))
        sent, refused, failing, slow = (w.compose(what=f"第{i}条")[0] for i in range(4))
        at = noon()
        w.deliver(at)
        headers, _ = gateway.calls[0]
        assert headers["Authorization"] == "Bearer k-1"
        assert {c["phone_number"] for c in map(lambda i: gateway.json(i), range(4))} == {"13812345678"}
        assert gateway.json(0)["content"] == f"{SIGN}王书记同志：第0条"
        states = {m.id: w.message(m) for m in (sent, refused, failing, slow)}
        assert states[sent.id].status == M.SENT
        assert (states[refused.id].status, "HTTP 400" in states[refused.id].status_reason) == (M.FAILED, True)
        for again in (failing, slow):  # queued for a retry 30 s on (the default backoff's first step)
            state = states[again.id]
            assert (state.status, state.attempts) == (M.QUEUED, 1)
            assert state.next_attempt_time.ToDatetime(dt.UTC) == at + dt.timedelta(seconds=30)
        assert "timeout" in states[slow.id].status_reason
        w.deliver(at + dt.timedelta(seconds=31))  # the gateway recovered
        assert {w.message(m).status for m in (failing, slow)} == {M.SENT}
    finally:
        gateway.close()


def test_a_gateway_that_keeps_failing_gives_up_after_the_attempts_allowed(w):
    gateway = Receiver([500] * 3)
    try:
        w.settings(sms=cpb.SmsGatewaySettings(url=gateway.url, signature=SIGN),
                   retry=cpb.RetryPolicy(max_attempts=3, base_delay_seconds=10, max_delay_seconds=15))
        [msg] = w.compose()
        at = noon()
        for wait in (0, 10, 15):  # 10 s, then 20 s capped at 15 s
            at += dt.timedelta(seconds=wait)
            w.deliver(at)
        final = w.message(msg)
        assert (final.status, final.attempts, len(gateway.calls)) == (M.FAILED, 3, 3)
        assert "3" in final.status_reason and "HTTP 500" in final.status_reason
    finally:
        gateway.close()


def test_quiet_hours_hold_a_text_until_morning_unless_it_is_urgent(w):
    night = noon() + dt.timedelta(hours=11)  # 23:00 in Shanghai
    calm, urgent = w.compose()[0], w.compose(urgent=True)[0]
    w.deliver(night)
    held = w.message(calm)
    assert (held.status, held.attempts) == (M.QUEUED, 0)
    assert held.next_attempt_time.ToDatetime(dt.UTC) == noon() + dt.timedelta(hours=19)  # 07:00
    assert w.message(urgent).status == M.SENT
    w.deliver(noon() + dt.timedelta(hours=19))
    assert w.message(calm).status == M.SENT


def test_the_rate_limit_defers_what_is_over_the_countys_minute(w):
    w.settings(rate_limits=cpb.RateLimits(sms_per_minute=2))
    made = [w.compose(what=f"第{i}条")[0] for i in range(3)]
    at = noon()
    w.deliver(at)
    states = [w.message(m) for m in made]
    assert sorted(s.status for s in states) == [M.QUEUED, M.SENT, M.SENT]
    w.deliver(at + dt.timedelta(seconds=61))
    assert {w.message(m).status for m in made} == {M.SENT}
    w.settings(rate_limits=cpb.RateLimits(sms_per_minute=0))  # 0 pauses the channel
    [paused] = w.compose()
    w.deliver(at + dt.timedelta(minutes=5))
    assert w.message(paused).status == M.QUEUED


def test_a_member_without_a_phone_fails_with_the_reason(w):
    [msg] = w.compose(member=w.no_phone)
    w.deliver(noon())
    failed = w.message(msg)
    assert (failed.status, "no phone" in failed.status_reason) == (M.FAILED, True)


def test_a_restart_loses_nothing_a_claimed_message_comes_back_when_its_lease_ends(w):
    from services.notify.adapters.repositories.deliveries import claim_due
    from services.notify.service_layer.delivery import LEASE

    [msg] = w.compose()
    at = noon()
    with w.uows("*") as uow:  # a process claims it and dies before sending
        claim_due(uow.conn, at, LEASE, 1000)
        uow.commit()
    w.deliver(at + dt.timedelta(minutes=1))
    assert w.message(msg).status == M.QUEUED
    w.deliver(at + LEASE)
    assert w.message(msg).status == M.SENT


def test_notify_reads_phones_with_org_phone_and_nothing_more_of_a_members_personal_data(w):
    from partybuilding.organization.v1 import organization_service_pb2 as opb

    request = opb.GetMemberRequest(name=w.member.name)
    plain = w.p.as_("system", [w.code], scopes=["org.read"], subject="service:other")
    notify = w.p.as_("system", [w.code], scopes=["org.read", "org.phone"], subject="service:notify")
    assert w.p.stub.GetMember(request, metadata=plain).phone == "138****5678"
    seen = w.p.stub.GetMember(request, metadata=notify)
    assert (seen.phone, seen.personal_data_masked, seen.birth_date) == ("13812345678", True, "")
    assert "*" in seen.id_card_number
