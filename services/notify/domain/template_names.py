"""A template's resource name: tenants/{code}/templates/{event type}.{CHANNEL}.{locale}, e.g.
tenants/610222/templates/points.threshold_crossed.INBOX.zh-CN (the event type has one dot, the
channel is upper case, the locale is xx-YY, so the three parts read back unambiguously)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.common.errors import InvalidArgument
from services.common.tenancy import TENANT_CODE
from services.notify.domain.messages import Channel

_NAME = re.compile(r"tenants/(?P<tenant>[0-9]{6})/templates/(?P<event_type>[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)"
                   r"\.(?P<channel>[A-Z]+)\.(?P<locale>[a-z]{2}-[A-Z]{2})")


@dataclass(frozen=True)
class TemplateKey:
    tenant: str
    event_type: str
    channel: Channel
    locale: str

    @property
    def name(self) -> str:
        return template_name(self.tenant, self.event_type, self.channel, self.locale)


def template_name(tenant: str, event_type: str, channel: Channel, locale: str) -> str:
    return f"tenants/{tenant}/templates/{event_type}.{channel.value}.{locale}"


def parse_template_name(name: str, field_path: str) -> TemplateKey:
    match = _NAME.fullmatch(name or "")
    if match is None or not TENANT_CODE.fullmatch(match["tenant"]) or match["channel"] not in Channel.__members__:
        raise InvalidArgument.field(
            field_path, "模板名称应为 tenants/{县代码}/templates/{事件类型}.{渠道}.{语言}",
            "must be tenants/{code}/templates/{event type}.{CHANNEL}.{locale}, e.g. "
            "tenants/610222/templates/points.threshold_crossed.INBOX.zh-CN", "INVALID_NAME")
    return TemplateKey(match["tenant"], match["event_type"], Channel(match["channel"]), match["locale"])
