"""Who may call each NotifyService RPC. Anything not listed is refused (default deny).

Notices are sent by county staff, clerks (for units in their subtree) and other government
systems (scope notify.write); a unit's own business with a notice (reading, 签收, its report,
forwarding it down) is done by that unit's clerk, the county or a system, never by a clerk of
another unit, above or beside it.
"""

from __future__ import annotations

from services.common.auth import Role
from services.common.policy import ADMINS, READERS, WRITERS, Clerk, Rule, with_clerks

SERVICE = "partybuilding.notify.v1.NotifyService"
OPERATOR = frozenset({Role.OPERATOR})
# Selectors and report fields a notice may carry (notify domain bounds), and values in a report.
NOTICE_ITEMS = 50

_RULES: dict[str, Rule] = {
    "SendNotice": Rule(WRITERS, scope="notify.write", write=True, tenant_field="parent", max_items=NOTICE_ITEMS),
    "AcknowledgeNotice": Rule(WRITERS, scope="notify.write", write=True, tenant_field="name"),
    "SubmitReport": Rule(WRITERS, scope="notify.write", write=True, tenant_field="name", max_items=NOTICE_ITEMS),
    "GetNoticeStatus": Rule(READERS, scope="notify.read", tenant_field="name"),
    "ListNotices": Rule(READERS, scope="notify.read", tenant_field="parent"),
    "ForwardNotice": Rule(WRITERS, scope="notify.write", write=True, tenant_field="name", max_items=NOTICE_ITEMS),
    "ListInbox": Rule(READERS, scope="notify.read", tenant_field="unit"),
    "MarkRead": Rule(WRITERS, scope="notify.write", write=True, tenant_field="name"),
    # Settings: the county's reminders, calendar and channels are the county's decision.
    "GetNotifySettings": Rule(READERS, scope="notify.read", tenant_field="name"),
    "UpdateNotifySettings": Rule(ADMINS, write=True, tenant_field="settings.name"),
    # Channels: delivery status and the SMS sink are the county's (and its systems') to read;
    # endpoints of other systems and their secrets are the county's decision.
    "GetMessage": Rule(READERS, scope="notify.read", tenant_field="name"),
    "ListMessages": Rule(READERS, scope="notify.read", tenant_field="parent"),
    "ListSmsSink": Rule(ADMINS, tenant_field="parent"),
    "CreateWebhookEndpoint": Rule(ADMINS, write=True, tenant_field="parent"),
    "GetWebhookEndpoint": Rule(ADMINS, tenant_field="name"),
    "ListWebhookEndpoints": Rule(ADMINS, tenant_field="parent"),
    "UpdateWebhookEndpoint": Rule(ADMINS, write=True, tenant_field="webhook_endpoint.name"),
    "DeleteWebhookEndpoint": Rule(ADMINS, write=True, tenant_field="name"),
    "ListWebhookDeliveries": Rule(ADMINS, tenant_field="parent"),
    # Reminders: the platform sweeps every 10 minutes; an operator may sweep a county now.
    "SweepReminders": Rule(OPERATOR, write=True, tenant_field="parent"),
    # Directory
    "ResyncDirectory": Rule(OPERATOR, write=True, tenant_field="parent"),
    # Templates (docs/notify-events.md): the county decides what its messages say.
    "PutTemplate": Rule(ADMINS, write=True, tenant_field="parent"),
    "GetTemplate": Rule(READERS, scope="notify.read", tenant_field="name"),
    "ListTemplates": Rule(READERS, scope="notify.read", tenant_field="parent"),
    "PreviewTemplate": Rule(READERS, scope="notify.read", tenant_field="parent"),
    "DeleteTemplate": Rule(ADMINS, write=True, tenant_field="name"),
    # Inbox of messages
    "ListInboxMessages": Rule(READERS, scope="notify.read", tenant_field="parent"),
    "MarkMessageRead": Rule(WRITERS, scope="notify.write", write=True, tenant_field="name"),
}

# The clerk's rights, one row per RPC; an RPC not listed is NEVER. SUBTREE_* calls are confined by
# service_layer/scope.py to the subtree of the unit the clerk's token names, OWN_UNIT ones to that
# unit itself.
CLERK: dict[str, Clerk] = {
    # The sender and every selector's subtree lie inside the clerk's subtree.
    "SendNotice": Clerk.SUBTREE_WRITE,
    "AcknowledgeNotice": Clerk.OWN_UNIT,
    "SubmitReport": Clerk.OWN_UNIT,
    # Of notices sent by a unit inside the subtree (a township sees its task list's whole tree).
    "GetNoticeStatus": Clerk.SUBTREE_READ,
    "ListNotices": Clerk.SUBTREE_READ,
    "ForwardNotice": Clerk.OWN_UNIT,
    "ListInbox": Clerk.OWN_UNIT,
    "MarkRead": Clerk.OWN_UNIT,
    # A clerk knows when reminders come and when the SMS gateway is quiet.
    "GetNotifySettings": Clerk.COUNTY_READ,
    "UpdateNotifySettings": Clerk.NEVER,
    # Channels: a clerk reads their unit's messages in its inbox, not the county's delivery status.
    "GetMessage": Clerk.NEVER,
    "ListMessages": Clerk.NEVER,
    "ListSmsSink": Clerk.NEVER,
    "CreateWebhookEndpoint": Clerk.NEVER,
    "GetWebhookEndpoint": Clerk.NEVER,
    "ListWebhookEndpoints": Clerk.NEVER,
    "UpdateWebhookEndpoint": Clerk.NEVER,
    "DeleteWebhookEndpoint": Clerk.NEVER,
    "ListWebhookDeliveries": Clerk.NEVER,
    "SweepReminders": Clerk.NEVER,
    # Directory
    "ResyncDirectory": Clerk.NEVER,
    # Templates: a clerk reads and previews the county's texts, never changes them.
    "PutTemplate": Clerk.NEVER,
    "GetTemplate": Clerk.COUNTY_READ,
    "ListTemplates": Clerk.COUNTY_READ,
    "PreviewTemplate": Clerk.COUNTY_READ,
    "DeleteTemplate": Clerk.NEVER,
    # Inbox of messages: their own unit's (a member's inbox is the county's to read, no member signs in).
    "ListInboxMessages": Clerk.OWN_UNIT,
    "MarkMessageRead": Clerk.OWN_UNIT,
}

POLICY: dict[str, Rule] = with_clerks(SERVICE, _RULES, CLERK)
