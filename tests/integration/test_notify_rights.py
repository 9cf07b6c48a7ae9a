"""Who may call what on NotifyService: the clerk's table (entrypoints/policy.CLERK) cell by cell,
and every RPC refused to another county's caller, through gRPC on SQLite and PostgreSQL.

The clerk works for 第一工作站 (own); 村0 lies below it (inside, not own); 第二工作站 and its
village lie outside. SUBTREE_* cells answer own and inside, OWN_UNIT ones own only, NEVER none.
"""

from __future__ import annotations

import grpc
import pytest
from partybuilding.notify.v1 import notify_channels_pb2 as cpb
from partybuilding.notify.v1 import notify_inbox_messages_pb2 as ipb
from partybuilding.notify.v1 import notify_notices_pb2 as npb
from partybuilding.notify.v1 import notify_reminders_pb2 as rpb
from partybuilding.notify.v1 import notify_service_pb2 as nspb
from partybuilding.notify.v1 import notify_settings_pb2 as setpb
from partybuilding.notify.v1 import notify_templates_pb2 as tpb
from partybuilding.organization.v1 import organization_service_pb2 as opb

from services.common.policy import Clerk
from services.notify.entrypoints.policy import CLERK
from tests.helpers import expect
from tests.integration.notify_event_feed import inbox, term_expiring
from tests.integration.notify_world import NotifyWorld, copy_name, selector, values, weekly_form

SIDES = ("own", "inside", "outside")


class RightsWorld(NotifyWorld):
    def __init__(self, platform):
        super().__init__(platform)
        self.at = {"own": self.stations[0], "inside": self.villages[0], "outside": self.stations[1]}
        # Each unit sends one notice below itself (GetNoticeStatus reads it); 村0 to its party group.
        group = self.county.unit(opb.PARTY_GROUP, "第一党小组", self.villages[0].name)
        self.resync()
        self.below = {"own": self.villages[0], "inside": group, "outside": self.villages[3]}
        self.sent_by = {side: self.send(sender=unit.name, recipients=[selector(self.below[side].name)])
                        for side, unit in self.at.items()}
        self.md = self.clerk(self.stations[0])
        for unit in self.at.values():  # each side's inbox holds a message made from an event
            term_expiring(platform, self.code, unit)
        self.message = {side: inbox(platform, unit.name, self.admin).messages[0].name
                        for side, unit in self.at.items()}

    @property
    def template(self) -> str:
        return f"tenants/{self.code}/templates/points.threshold_crossed.INBOX.zh-CN"

    def to_everyone(self) -> npb.Notice:
        """A fresh county notice every unit of the township receives (with a report form)."""
        return self.send(recipients=[selector(self.town.name)], requires_ack=True, requires_report=True,
                         report_form=weekly_form())

    def call(self, rpc: str, side: str, md=None):
        unit, s, md = self.at[side], self.s, md or self.md
        copy = lambda: copy_name(self.to_everyone().name, unit.name)  # noqa: E731
        calls = {
            "SendNotice": lambda: s.SendNotice(npb.SendNoticeRequest(parent=self.parent, notice=npb.Notice(
                title="通知", recipients=[selector(self.below[side].name)])), metadata=md),
            "AcknowledgeNotice": lambda: s.AcknowledgeNotice(npb.AcknowledgeNoticeRequest(name=copy()), metadata=md),
            "SubmitReport": lambda: s.SubmitReport(npb.SubmitReportRequest(
                name=copy(), values=values(meetings=1, summary="好")), metadata=md),
            "GetNoticeStatus": lambda: s.GetNoticeStatus(npb.GetNoticeStatusRequest(
                name=self.sent_by[side].name), metadata=md),
            "ListNotices": lambda: s.ListNotices(npb.ListNoticesRequest(parent=self.parent, sent_by=unit.name),
                                                 metadata=md),
            "ForwardNotice": lambda: s.ForwardNotice(npb.ForwardNoticeRequest(
                name=copy(), recipients=[selector(self.below[side].name)]), metadata=md),
            "ListInbox": lambda: s.ListInbox(npb.ListInboxRequest(unit=unit.name), metadata=md),
            "MarkRead": lambda: s.MarkRead(npb.MarkReadRequest(name=copy()), metadata=md),
            "GetNotifySettings": lambda: s.GetNotifySettings(setpb.GetNotifySettingsRequest(
                name=f"{self.parent}/notifySettings"), metadata=md),
            "UpdateNotifySettings": lambda: s.UpdateNotifySettings(setpb.UpdateNotifySettingsRequest(
                settings=setpb.NotifySettings(name=f"{self.parent}/notifySettings"),
                update_mask={"paths": ["reminders"]}), metadata=md),
            "ResyncDirectory": lambda: s.ResyncDirectory(nspb.ResyncDirectoryRequest(parent=self.parent), metadata=md),
            **self.channel_calls(md),
            "SweepReminders": lambda: s.SweepReminders(rpb.SweepRemindersRequest(parent=self.parent), metadata=md),
            "PutTemplate": lambda: s.PutTemplate(tpb.PutTemplateRequest(parent=self.parent, template=tpb.Template(
                event_type="points.threshold_crossed", channel="SMS", body="{{ member_name }}")), metadata=md),
            "GetTemplate": lambda: s.GetTemplate(tpb.GetTemplateRequest(name=self.template), metadata=md),
            "ListTemplates": lambda: s.ListTemplates(tpb.ListTemplatesRequest(parent=self.parent), metadata=md),
            "PreviewTemplate": lambda: s.PreviewTemplate(tpb.PreviewTemplateRequest(
                parent=self.parent, template=tpb.Template(event_type="points.threshold_crossed")), metadata=md),
            "DeleteTemplate": lambda: s.DeleteTemplate(tpb.DeleteTemplateRequest(name=self.template), metadata=md),
            "ListInboxMessages": lambda: inbox(self.p, unit.name, md),
            "MarkMessageRead": lambda: s.MarkMessageRead(ipb.MarkMessageReadRequest(name=self.message[side]),
                                                         metadata=md),
        }
        return calls[rpc]()


    def channel_calls(self, md) -> dict:
        """The channel RPCs: the county's, never a clerk's (each side answers the same)."""
        s, hook = self.s, f"{self.parent}/webhookEndpoints/wh-none"
        endpoint = cpb.WebhookEndpoint(display_name="平台", url="https://example.cn/hook")
        return {
            "GetMessage": lambda: s.GetMessage(cpb.GetMessageRequest(name=f"{self.parent}/messages/m-1"), metadata=md),
            "ListMessages": lambda: s.ListMessages(cpb.ListMessagesRequest(parent=self.parent), metadata=md),
            "ListSmsSink": lambda: s.ListSmsSink(cpb.ListSmsSinkRequest(parent=self.parent), metadata=md),
            "CreateWebhookEndpoint": lambda: s.CreateWebhookEndpoint(cpb.CreateWebhookEndpointRequest(
                parent=self.parent, webhook_endpoint=endpoint), metadata=md),
            "GetWebhookEndpoint": lambda: s.GetWebhookEndpoint(cpb.GetWebhookEndpointRequest(name=hook), metadata=md),
            "ListWebhookEndpoints": lambda: s.ListWebhookEndpoints(cpb.ListWebhookEndpointsRequest(
                parent=self.parent), metadata=md),
            "UpdateWebhookEndpoint": lambda: s.UpdateWebhookEndpoint(cpb.UpdateWebhookEndpointRequest(
                webhook_endpoint=cpb.WebhookEndpoint(name=hook, enabled=True), update_mask={"paths": ["enabled"]}),
                metadata=md),
            "DeleteWebhookEndpoint": lambda: s.DeleteWebhookEndpoint(cpb.DeleteWebhookEndpointRequest(name=hook),
                                                                     metadata=md),
            "ListWebhookDeliveries": lambda: s.ListWebhookDeliveries(cpb.ListWebhookDeliveriesRequest(parent=hook),
                                                                     metadata=md),
        }


@pytest.fixture(scope="module")
def w(platform) -> RightsWorld:
    return RightsWorld(platform)


def _allowed(right: Clerk, side: str) -> bool:
    if right is Clerk.NEVER:
        return False
    if right is Clerk.OWN_UNIT:
        return side == "own"
    return right is Clerk.COUNTY_READ or side != "outside"


def _refusal(right: Clerk) -> str:
    return {Clerk.NEVER: "METHOD_NOT_ALLOWED", Clerk.OWN_UNIT: "NOT_OWN_UNIT"}.get(right, "OUTSIDE_CLERK_SUBTREE")


@pytest.mark.parametrize("rpc", sorted(CLERK))
def test_each_cell_of_the_clerk_table(w, rpc):
    right = CLERK[rpc]
    for side in SIDES:
        if _allowed(right, side):
            w.call(rpc, side)
        else:
            expect(grpc.StatusCode.PERMISSION_DENIED, w.call, rpc, side, reason=_refusal(right))


def test_the_table_names_every_rpc_of_the_service():
    assert set(CLERK) == set(nspb.DESCRIPTOR.services_by_name["NotifyService"].methods_by_name)


@pytest.mark.parametrize("rpc", sorted(CLERK))
def test_another_countys_admin_is_refused_every_rpc(w, platform, rpc):
    stranger = platform.as_("county_admin", [platform.new_county()])
    expect(grpc.StatusCode.PERMISSION_DENIED, w.call, rpc, "own", md=stranger)


def test_a_city_reads_its_counties_notices_but_sends_nothing(w, platform):
    city = platform.as_("city", [w.code[:4] + "00"])
    assert w.s.GetNoticeStatus(npb.GetNoticeStatusRequest(name=w.sent_by["own"].name), metadata=city).notice.title
    expect(grpc.StatusCode.PERMISSION_DENIED, w.call, "SendNotice", "own", md=city, reason="METHOD_NOT_ALLOWED")


def test_a_selector_in_another_county_is_refused_before_anything_is_checked(w, platform):
    other = NotifyWorld(platform)
    expect(grpc.StatusCode.PERMISSION_DENIED, w.send, title="", recipients=[selector(other.town.name)])
    # An operator of both counties is told the selector must be of the notice's county.
    expect(grpc.StatusCode.INVALID_ARGUMENT, w.send, md=platform.operator(), recipients=[selector(other.town.name)],
           field="notice.recipients[0].subtree", reason="CROSS_TENANT_REFERENCE")
