"""The settings RPCs of NotifyService: the county's one notify settings resource."""

from __future__ import annotations

from services.common.grpc.interceptor import current_principal
from services.notify.domain.names import parse_settings_name
from services.notify.entrypoints.settings_mapping import settings_changes, settings_to_pb
from services.notify.service_layer import settings


class SettingsMethods:
    uows = None

    def GetNotifySettings(self, request, context):
        tenant = parse_settings_name(request.name, "name")
        return settings_to_pb(tenant, *settings.get_settings(settings.GetSettings(tenant), self.uows,
                                                             current_principal()))

    def UpdateNotifySettings(self, request, context):
        tenant = parse_settings_name(request.settings.name, "settings.name")
        cmd = settings.UpdateSettings(tenant, settings_changes(request), request.settings.etag)
        return settings_to_pb(tenant, *settings.update_settings(cmd, self.uows, current_principal()))
