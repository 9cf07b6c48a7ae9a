"""NotifyService over gRPC: thin, proto -> command -> use case -> proto.

Authentication and authorization already happened in the interceptor; names a request carries
besides the one its policy rule checks (selectors' subtrees, a listing's units) are authorized
first here. Errors raised below are PlatformErrors that the interceptor turns into google.rpc.Status.
"""

from __future__ import annotations

from partybuilding.notify.v1 import notify_notices_pb2 as npb
from partybuilding.notify.v1 import notify_service_pb2 as pb
from partybuilding.notify.v1 import notify_service_pb2_grpc as pb_grpc

from services.common.clock import utcnow
from services.common.grpc.interceptor import current_principal
from services.common.grpc.messages import tenant_code
from services.common.grpc.request_ids import request_fingerprint
from services.common.policy import check_names_visible
from services.notify.domain.names import NOTICES, RECIPIENTS, UNITS
from services.notify.entrypoints import mapping
from services.notify.entrypoints.grpc_channels import ChannelMethods
from services.notify.entrypoints.grpc_inbox_messages import InboxMessageMethods
from services.notify.entrypoints.grpc_reminders import ReminderMethods
from services.notify.entrypoints.grpc_settings import SettingsMethods
from services.notify.entrypoints.grpc_templates import TemplateMethods
from services.notify.service_layer import commands, directory, progress, reads, sending
from services.notify.service_layer.unit_of_work import NotifyUnitOfWorkFactory

FULL_NAME = "partybuilding.notify.v1.NotifyService"


class NotifyServicer(SettingsMethods, ReminderMethods, ChannelMethods, TemplateMethods, InboxMessageMethods,
                     pb_grpc.NotifyServiceServicer):
    def __init__(self, uows: NotifyUnitOfWorkFactory):
        self.uows = uows

    def SendNotice(self, request, context):
        who, n = current_principal(), request.notice
        check_names_visible(who, n.sender, *(s.subtree for s in n.recipients), write=True)
        code = tenant_code(request.parent, "parent")
        cmd = commands.SendNotice(
            code, UNITS.id_in(n.sender, code, "notice.sender") if n.sender else None, n.title, n.body,
            mapping.selectors(n.recipients, code, "notice.recipients"), n.requires_ack, n.requires_report,
            mapping.report_form(n.report_form), mapping.due(n, "due_time", "notice.due_time"), request.request_id,
            request_fingerprint(request))
        return mapping.notice_to_proto(sending.send_notice(cmd, self.uows, who))

    def ForwardNotice(self, request, context):
        who = current_principal()
        check_names_visible(who, *(s.subtree for s in request.recipients), write=True)
        copy = RECIPIENTS.parse(request.name, "name")
        cmd = commands.ForwardNotice(copy.tenant, copy.parent_id, copy.id,
                                     mapping.selectors(request.recipients, copy.tenant, "recipients"), request.note,
                                     mapping.due(request, "due_time", "due_time"), request.request_id,
                                     request_fingerprint(request))
        return mapping.notice_to_proto(sending.forward_notice(cmd, self.uows, who))

    def AcknowledgeNotice(self, request, context):
        copy = RECIPIENTS.parse(request.name, "name")
        cmd = commands.RecipientAction(copy.tenant, copy.parent_id, copy.id)
        return mapping.recipient_to_proto(*progress.acknowledge_notice(cmd, self.uows, current_principal()), utcnow())

    def MarkRead(self, request, context):
        copy = RECIPIENTS.parse(request.name, "name")
        cmd = commands.RecipientAction(copy.tenant, copy.parent_id, copy.id)
        return mapping.recipient_to_proto(*progress.mark_read(cmd, self.uows, current_principal()), utcnow())

    def SubmitReport(self, request, context):
        copy = RECIPIENTS.parse(request.name, "name")
        cmd = commands.SubmitReport(copy.tenant, copy.parent_id, copy.id, [(v.field, v.value) for v in request.values],
                                    request.include_forwarded, request.etag)
        return mapping.recipient_to_proto(*progress.submit_report(cmd, self.uows, current_principal()), utcnow())

    def GetNoticeStatus(self, request, context):
        notice = NOTICES.parse(request.name, "name")
        cmd = commands.GetNoticeStatus(notice.tenant, notice.id, request.page_size, request.page_token)
        return mapping.status_page_to_proto(reads.get_notice_status(cmd, self.uows, current_principal()), utcnow())

    def ListNotices(self, request, context):
        who = current_principal()
        check_names_visible(who, request.addressed_to, request.sent_by if request.sent_by != "-" else "", write=False)
        code = tenant_code(request.parent, "parent")
        sent_by = request.sent_by if request.sent_by == "-" else (
            UNITS.id_in(request.sent_by, code, "sent_by") if request.sent_by else None)
        addressed_to = UNITS.id_in(request.addressed_to, code, "addressed_to") if request.addressed_to else None
        cmd = commands.ListNotices(code, sent_by, addressed_to, request.page_size, request.page_token)
        found, token = reads.list_notices(cmd, self.uows, who)
        return npb.ListNoticesResponse(notices=[mapping.notice_to_proto(n) for n in found], next_page_token=token)

    def ListInbox(self, request, context):
        unit = UNITS.parse(request.unit, "unit")
        cmd = commands.ListInbox(unit.tenant, unit.id, request.unread_only, request.page_size, request.page_token)
        inbox = reads.list_inbox(cmd, self.uows, current_principal())
        now = utcnow()
        return npb.ListInboxResponse(items=[mapping.inbox_item_to_proto(item, now) for item in inbox.items],
                                     next_page_token=inbox.next_page_token, unread_count=inbox.unread,
                                     total_size=inbox.total)

    def ResyncDirectory(self, request, context):
        cmd = commands.ResyncDirectory(tenant_code(request.parent, "parent"))
        counts = directory.resync(cmd, self.uows, current_principal())
        return pb.ResyncDirectoryResponse(units=counts.units, members=counts.members, posts=counts.posts,
                                          removed=counts.removed)
