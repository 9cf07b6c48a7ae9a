"""NotifyService's inbox-of-messages RPCs (ListInboxMessages, MarkMessageRead), mixed into the
servicer: thin, proto -> command -> service_layer/inbox_messages.py -> proto."""

from __future__ import annotations

from partybuilding.notify.v1 import notify_inbox_messages_pb2 as ipb

from services.common.grpc.interceptor import current_principal
from services.notify.domain.messages import RecipientKind
from services.notify.domain.names import MEMBERS, MESSAGES, UNITS
from services.notify.entrypoints.settings_mapping import message_to_pb
from services.notify.service_layer import inbox_messages as im


def _parent(name: str) -> tuple[str, RecipientKind, str]:
    """(tenant, kind, id) of tenants/{code}/units/{id} or tenants/{code}/members/{id}."""
    parts = name.split("/")
    if len(parts) == 4 and parts[2] == "members":
        member = MEMBERS.parse(name, "parent")
        return member.tenant, RecipientKind.MEMBER, member.id
    unit = UNITS.parse(name, "parent")
    return unit.tenant, RecipientKind.UNIT, unit.id


class InboxMessageMethods:
    uows = None  # the servicer's unit-of-work factory

    def ListInboxMessages(self, request, context):
        tenant, kind, recipient_id = _parent(request.parent)
        cmd = im.ListInboxMessages(tenant, kind, recipient_id, request.unread_only, request.page_size,
                                   request.page_token)
        page = im.list_inbox_messages(cmd, self.uows, current_principal())
        return ipb.ListInboxMessagesResponse(messages=[message_to_pb(m) for m in page.messages],
                                             next_page_token=page.next_page_token, unread_count=page.unread,
                                             total_size=page.total)

    def MarkMessageRead(self, request, context):
        name = MESSAGES.parse(request.name, "name")
        cmd = im.MarkMessageRead(name.tenant, name.id, request.etag)
        return message_to_pb(im.mark_message_read(cmd, self.uows, current_principal()))
