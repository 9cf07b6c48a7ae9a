"""The channel RPCs of NotifyService: delivery status, the SMS sink, webhook endpoints and their log."""

from __future__ import annotations

from partybuilding.notify.v1 import notify_channels_pb2 as pb
from partybuilding.notify.v1 import notify_messages_pb2 as mpb

from services.common.fieldmask import changes_from_mask
from services.common.grpc.interceptor import current_principal
from services.common.grpc.messages import tenant_code
from services.common.grpc.request_ids import request_fingerprint
from services.common.policy import check_names_visible
from services.notify.domain.names import MESSAGES
from services.notify.domain.webhooks import ENDPOINTS
from services.notify.entrypoints import channels_mapping as cm
from services.notify.entrypoints.settings_mapping import message_to_pb
from services.notify.service_layer import message_reads as reads
from services.notify.service_layer import webhooks


def _enum_name(enum, value: int) -> str:
    return enum.Name(value) if value else ""


class ChannelMethods:
    uows = None

    def GetMessage(self, request, context):
        name = MESSAGES.parse(request.name, "name")
        return message_to_pb(reads.get_message(reads.GetMessage(name.tenant, name.id), self.uows, current_principal()))

    def ListMessages(self, request, context):
        who = current_principal()
        check_names_visible(who, request.recipient, write=False)
        code = tenant_code(request.parent, "parent")
        kind, recipient_id = cm.recipient_filter(request.recipient, code, "recipient")
        cmd = reads.ListMessages(code, _enum_name(mpb.Message.Channel, request.channel),
                                 _enum_name(mpb.Message.Status, request.status), kind, recipient_id,
                                 request.page_size, request.page_token)
        found, token = reads.list_messages(cmd, self.uows, who)
        return pb.ListMessagesResponse(messages=[message_to_pb(m) for m in found], next_page_token=token)

    def ListSmsSink(self, request, context):
        code = tenant_code(request.parent, "parent")
        found, token = reads.list_sms_sink(reads.ListSmsSink(code, request.page_size, request.page_token), self.uows,
                                           current_principal())
        return pb.ListSmsSinkResponse(entries=[cm.sink_to_pb(code, e) for e in found], next_page_token=token)

    def CreateWebhookEndpoint(self, request, context):
        e = request.webhook_endpoint
        cmd = webhooks.CreateEndpoint(tenant_code(request.parent, "parent"), e.display_name, e.url,
                                      list(e.event_types), request.request_id, request_fingerprint(request))
        created = webhooks.create_endpoint(cmd, self.uows, current_principal())
        return cm.endpoint_to_pb(created.endpoint, created.secret)

    def GetWebhookEndpoint(self, request, context):
        name = ENDPOINTS.parse(request.name, "name")
        return cm.endpoint_to_pb(webhooks.get_endpoint(webhooks.EndpointRef(name.tenant, name.id), self.uows,
                                                       current_principal()))

    def ListWebhookEndpoints(self, request, context):
        cmd = webhooks.ListEndpoints(tenant_code(request.parent, "parent"), request.page_size, request.page_token)
        found, token = webhooks.list_endpoints(cmd, self.uows, current_principal())
        return pb.ListWebhookEndpointsResponse(webhook_endpoints=[cm.endpoint_to_pb(e) for e in found],
                                               next_page_token=token)

    def UpdateWebhookEndpoint(self, request, context):
        e = request.webhook_endpoint
        name = ENDPOINTS.parse(e.name, "webhook_endpoint.name")
        changes = changes_from_mask(e, request.update_mask.paths, convert={"event_types": list})
        cmd = webhooks.UpdateEndpoint(name.tenant, name.id, changes, e.etag)
        return cm.endpoint_to_pb(webhooks.update_endpoint(cmd, self.uows, current_principal()))

    def DeleteWebhookEndpoint(self, request, context):
        name = ENDPOINTS.parse(request.name, "name")
        webhooks.delete_endpoint(webhooks.EndpointRef(name.tenant, name.id, request.etag), self.uows,
                                 current_principal())
        return pb.DeleteWebhookEndpointResponse()

    def ListWebhookDeliveries(self, request, context):
        name = ENDPOINTS.parse(request.parent, "parent")
        cmd = webhooks.ListDeliveries(name.tenant, name.id, request.page_size, request.page_token)
        found, token = webhooks.list_deliveries(cmd, self.uows, current_principal())
        return pb.ListWebhookDeliveriesResponse(deliveries=[cm.delivery_to_pb(name.tenant, a) for a in found],
                                                next_page_token=token)
