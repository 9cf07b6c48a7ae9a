"""NotifyService's template RPCs (PutTemplate ... DeleteTemplate), mixed into the servicer: thin,
proto -> command -> service_layer/templates.py -> proto."""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp
from partybuilding.notify.v1 import notify_templates_pb2 as tpb

from services.common.grpc.interceptor import current_principal
from services.common.grpc.messages import tenant_code
from services.common.tenancy import etag_of
from services.notify.domain.template_names import parse_template_name
from services.notify.domain.templates import FIELDS
from services.notify.service_layer import templates as t


def template_to_pb(view: t.TemplateView) -> tpb.Template:
    tpl = view.template
    out = tpb.Template(name=view.name, event_type=tpl.event_type, channel=tpl.channel.value, locale=tpl.locale,
                       subject=tpl.subject, body=tpl.body, shipped_default=view.shipped_default,
                       fields=sorted(FIELDS.get(tpl.event_type, ())), updated_by=view.updated_by,
                       etag=etag_of(view.version) if not view.shipped_default else "")
    if view.updated_at is not None:
        stamp = Timestamp()
        stamp.FromDatetime(view.updated_at)
        out.update_time.CopyFrom(stamp)
    return out


class TemplateMethods:
    uows = None  # the servicer's unit-of-work factory

    def PutTemplate(self, request, context):
        g = request.template
        cmd = t.PutTemplate(tenant_code(request.parent, "parent"), g.event_type, g.channel, g.locale, g.subject,
                            g.body, g.etag)
        return template_to_pb(t.put_template(cmd, self.uows, current_principal()))

    def GetTemplate(self, request, context):
        return template_to_pb(t.get_template(parse_template_name(request.name, "name"), self.uows))

    def ListTemplates(self, request, context):
        cmd = t.ListTemplates(tenant_code(request.parent, "parent"), request.event_type, request.page_size,
                              request.page_token)
        found, token = t.list_templates(cmd, self.uows)
        return tpb.ListTemplatesResponse(templates=[template_to_pb(v) for v in found], next_page_token=token)

    def PreviewTemplate(self, request, context):
        g = request.template
        cmd = t.PreviewTemplate(tenant_code(request.parent, "parent"), g.event_type, g.channel, g.locale,
                                g.subject, g.body, dict(request.data))
        subject, body, data = t.preview_template(cmd, self.uows)
        return tpb.PreviewTemplateResponse(subject=subject, body=body, data=data)

    def DeleteTemplate(self, request, context):
        key = parse_template_name(request.name, "name")
        return template_to_pb(t.delete_template(key, request.etag, self.uows))
