"""The reminder RPC of NotifyService: run one county's sweep now (operators)."""

from __future__ import annotations

from partybuilding.notify.v1 import notify_reminders_pb2 as pb

from services.common.grpc.interceptor import current_principal
from services.common.grpc.messages import tenant_code
from services.notify.entrypoints.mapping import due
from services.notify.service_layer import reminders


class ReminderMethods:
    uows = None

    def SweepReminders(self, request, context):
        cmd = reminders.SweepReminders(tenant_code(request.parent, "parent"), due(request, "as_of", "as_of"))
        counts = reminders.sweep_county(cmd, self.uows, current_principal())
        return pb.SweepRemindersResponse(reminders=counts.reminders, escalations=counts.escalations,
                                         calendar=counts.calendar, cancelled=counts.cancelled,
                                         open_copies=counts.open_copies)
