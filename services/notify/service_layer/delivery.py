"""The delivery process (投递): due QUEUED messages of every county go out on their channel.

A round claims a batch across counties (adapters/repositories/deliveries.claim_due: leased, so
two processes never take one message, and a process that dies loses nothing), then each
message is delivered in three steps: read what it needs (the county's channel settings, the
endpoint, the rate window) in a read transaction; call the channel with no transaction open (a
slow gateway never holds the database); record the outcome, the log row and the endpoint's
failure count in one write transaction. A message that moved meanwhile (a reminder cancelled)
keeps its new state.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from services.common.clock import utcnow
from services.common.errors import PlatformError
from services.common.identifiers import mask_phone
from services.common.metrics import NOTIFY_DELIVERIES, tenant_label
from services.common.tenancy import ALL_TENANTS
from services.notify.adapters.repositories.deliveries import Attempt, claim_due
from services.notify.adapters.senders import HttpSmsGateway, OutgoingSms, SmsSink, post_webhook
from services.notify.domain import delivery as rules
from services.notify.domain.channel_settings import SEALED_FIELD, ChannelConfig
from services.notify.domain.messages import Channel, Message, Status
from services.notify.domain.webhooks import WebhookEndpoint
from services.notify.service_layer.settings import load_settings
from services.notify.service_layer.webhooks import SECRET_FIELD

log = logging.getLogger("partybuilding.notify.delivery")
LEASE = dt.timedelta(minutes=5)


@dataclass
class Channels:
    """What the process sends with: phone look-ups (the organization's GetMember with notify's
    account), the SMS gateway for a county's settings, the webhook call; tests replace none of
    these but point them at local servers."""

    phone_of: Callable[[str, str], str]  # (tenant, member id) -> phone, "" when none
    timeout: float = 5.0
    # Messages of a round in flight at once: a slow endpoint holds one of them, not the round.
    parallel: int = 8
    sms_gateway: Callable[[str, str, float], object] = HttpSmsGateway
    webhook: Callable[..., rules.Outcome] = post_webhook


@dataclass(frozen=True)
class _Plan:
    msg: Message
    config: ChannelConfig
    until: dt.datetime | None = None  # deferred (quiet hours, rate window)
    reason: str = ""
    fail: str = ""  # given up without a call
    endpoint: WebhookEndpoint | None = None


def deliver_due(uows, channels: Channels, now: dt.datetime | None = None, batch: int = 100) -> int:
    """One round: claim up to `batch` due messages and deliver each; returns how many were claimed.

    What is over a county's rate window is deferred first, one by one; the rest go out up to
    `channels.parallel` at a time."""
    now = now or utcnow()
    with uows(ALL_TENANTS) as uow:
        claimed = claim_due(uow.conn, now, LEASE, batch)
        uow.commit()
    room: dict[tuple[str, str], int] = {}
    todo = []
    for tenant, message_id, channel in claimed:
        if (tenant, channel) not in room:
            room[(tenant, channel)] = _room(uows, tenant, channel, now)
        if room[(tenant, channel)] > 0:
            room[(tenant, channel)] -= 1
            todo.append((tenant, message_id))
        else:
            _guarded(lambda t=tenant, i=message_id: _over_rate(uows, t, i, now), tenant, message_id)

    def one(claim: tuple[str, str]) -> None:
        _guarded(lambda: deliver_one(uows, channels, claim[0], claim[1], now), *claim)

    if channels.parallel > 1 and len(todo) > 1:
        with ThreadPoolExecutor(min(channels.parallel, len(todo)), thread_name_prefix="deliver") as pool:
            list(pool.map(one, todo))
    else:
        for claim in todo:
            one(claim)
    return len(claimed)


def _guarded(work, tenant: str, message_id: str) -> None:
    try:
        work()
    except Exception:  # one county's broken message never stops the others; its lease ends
        log.exception("delivery failed", extra={"fields": {"tenant": tenant, "message": message_id}})


def _config(uow) -> ChannelConfig:
    return ChannelConfig.of(load_settings(uow).section("channels"))


def _room(uows, tenant: str, channel: str, now: dt.datetime) -> int:
    """Calls the county's rate window on this channel still has."""
    with uows(tenant, write=False) as uow:
        limit = _config(uow).per_minute[channel]
        return limit - uow.deliveries.calls_since(channel, now - rules.RATE_WINDOW)


def _over_rate(uows, tenant: str, message_id: str, now: dt.datetime) -> None:
    with uows(tenant) as uow:
        msg = uow.messages.get(message_id)
        if msg is None or msg.status is not Status.QUEUED:
            return
        limit = _config(uow).per_minute[msg.channel.value]
        why = "渠道已暂停 / channel paused (0 per minute)" if limit == 0 else \
            f"超出每分钟{limit}条的限额，稍后发送 / over the county's {limit} per minute"
        uow.messages.save(rules.deferred(msg, now + rules.RATE_WINDOW, why))
        uow.commit()
    NOTIFY_DELIVERIES.labels(msg.channel.value, "DEFERRED", tenant_label(tenant)).inc()


def _plan(uow, msg: Message, now: dt.datetime) -> _Plan:
    config = _config(uow)
    if msg.channel is Channel.SMS:
        county = uow.directory.tenant()
        quiet = None if msg.urgent else rules.quiet_until(config, now, county.time_zone if county else "")
        if quiet:
            return _Plan(msg, config, quiet, "免打扰时段，到点发送 / quiet hours: sent when they end")
        return _Plan(msg, config)
    endpoint = uow.webhooks.get(msg.recipient.id)
    if endpoint is None:
        return _Plan(msg, config, fail="接收接口已删除 / the endpoint was deleted")
    if not endpoint.enabled:
        return _Plan(msg, config, fail=f"接收接口已停用 / the endpoint is disabled: {endpoint.disabled_reason}")
    return _Plan(msg, config, endpoint=endpoint)


def deliver_one(uows, channels: Channels, tenant: str, message_id: str, now: dt.datetime) -> None:
    with uows(tenant, write=False) as uow:
        msg = uow.messages.get(message_id)
        if msg is None or msg.status is not Status.QUEUED:
            return
        plan = _plan(uow, msg, now)
        key = uow.data_key
    if plan.until is not None:
        return _record(uows, plan, None, now, rules.deferred(msg, plan.until, plan.reason))
    if plan.fail:
        return _record(uows, plan, None, now, rules.failed(msg, now, plan.fail))
    outcome, address = _call(uows, channels, plan, key)
    return _record(uows, plan, outcome, now, address=address)


def _call(uows, channels: Channels, plan: _Plan, key) -> tuple[rules.Outcome, str]:
    msg, config = plan.msg, plan.config
    if msg.channel is Channel.WEBHOOK:
        secret = key.open(SECRET_FIELD, plan.endpoint.secret_sealed)
        return channels.webhook(plan.endpoint.url, secret, msg.source_type, msg.id, msg.payload,
                                channels.timeout), ""
    try:
        phone = channels.phone_of(msg.tenant, msg.recipient.id)
    except PlatformError as err:  # the organization unavailable: try again later
        return rules.Outcome(False, 0, f"组织服务不可用 / organization unavailable: {err.en}"), ""
    if not phone:
        return rules.Outcome(False, 0, "党员未登记手机号 / the member has no phone on record", retryable=False), ""
    if "*" in phone:
        return rules.Outcome(False, 0, "通知服务账号无权读取手机号（需 org.phone）/ notify's account may not read "
                             "phones (scope org.phone)", retryable=False), ""
    text = rules.sms_text(config, msg.body)
    sender = SmsSink(uows) if not config.sms_url else channels.sms_gateway(
        config.sms_url, key.open(SEALED_FIELD, config.sms_key_sealed) if config.sms_key_sealed else "",
        channels.timeout)
    outcome = sender.send(OutgoingSms(msg.tenant, msg.id, phone, text.text, text.segments, config.signature))
    return outcome, mask_phone(phone)


def _record(uows, plan: _Plan, outcome: rules.Outcome | None, now: dt.datetime, moved: Message | None = None,
            address: str = "") -> None:
    msg, config = plan.msg, plan.config
    logged = ""
    if moved is None:
        moved, logged = rules.after_call(msg, outcome, config, now)
    with uows(msg.tenant) as uow:
        if not uow.messages.save(moved):
            log.info("message moved while it was sent", extra={"fields": {"message": msg.id}})
        if address:
            uow.deliveries.set_address(msg.id, address)
        if outcome is not None:
            uow.deliveries.record(Attempt(msg.id, msg.channel.value, msg.recipient.id, msg.source_type,
                                          msg.attempts + 1, outcome.status_code, outcome.duration_ms, logged,
                                          outcome.error, now))
            if msg.channel is Channel.WEBHOOK:
                _endpoint_after(uow, msg.recipient.id, outcome, config, now)
        uow.commit()
    NOTIFY_DELIVERIES.labels(msg.channel.value, logged or ("FAILED" if moved.status is Status.FAILED else "DEFERRED"),
                             tenant_label(msg.tenant)).inc()


def _endpoint_after(uow, endpoint_id: str, outcome: rules.Outcome, config: ChannelConfig, now: dt.datetime) -> None:
    endpoint = uow.webhooks.get(endpoint_id, for_update=True)
    if endpoint is None:
        return
    changed = endpoint.succeeded(now) if outcome.ok else endpoint.failed_call(
        outcome.error or f"HTTP {outcome.status_code}", config.failures_to_disable, now)
    if changed is not None:
        uow.webhooks.save(changed)
