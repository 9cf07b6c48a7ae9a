"""The ledger's RPCs of PointsService: proto -> command -> use case -> proto, nothing else."""

from __future__ import annotations

from partybuilding.points.v1 import points_ledger_pb2 as pb

from services.common.grpc.interceptor import current_principal
from services.points.domain.names import ENTRIES, MEMBERS
from services.points.entrypoints import ledger_mapping as lm
from services.points.entrypoints.mapping import request_fingerprint, tenant_code
from services.points.service_layer import ledger, ledger_reads
from services.points.service_layer import ledger_commands as c


class LedgerMethods:
    """Mixed into PointsServicer, which holds `self.uows`."""

    def RecordEntry(self, request, context):
        code = tenant_code(request.parent, "parent")
        member_tenant, member_id = lm.member_ref(request.member, "member")
        cmd = c.RecordEntry(code, member_tenant, member_id, request.rule_code, request.quantity,
                            lm.timestamp(request, "occurred_time"), request.note, request.evidence_ref,
                            request.request_id, request_fingerprint(request))
        return lm.entry_to_proto(ledger.record_entry(cmd, self.uows, current_principal()))

    def BatchRecordEntries(self, request, context):
        code = tenant_code(request.parent, "parent")
        items = [c.BatchItem(*lm.member_ref(item.member, f"items[{i}].member"), item.quantity)
                 for i, item in enumerate(request.items)]
        cmd = c.BatchRecordEntries(code, request.rule_code, lm.timestamp(request, "occurred_time"), items,
                                   request.note, request.evidence_ref, request.request_id,
                                   request_fingerprint(request))
        entries = ledger.batch_record_entries(cmd, self.uows, current_principal())
        return pb.BatchRecordEntriesResponse(entries=[lm.entry_to_proto(e) for e in entries])

    def ApproveEntry(self, request, context):
        name = ENTRIES.parse(request.name, "name")
        cmd = c.DecideEntry(name.tenant, name.id, True, request.reason, request.etag)
        return lm.entry_to_proto(ledger.approve_entry(cmd, self.uows, current_principal()))

    def RejectEntry(self, request, context):
        name = ENTRIES.parse(request.name, "name")
        cmd = c.DecideEntry(name.tenant, name.id, False, request.reason, request.etag)
        return lm.entry_to_proto(ledger.reject_entry(cmd, self.uows, current_principal()))

    def ReverseEntry(self, request, context):
        name = ENTRIES.parse(request.name, "name")
        cmd = c.ReverseEntry(name.tenant, name.id, request.reason, request.request_id, request_fingerprint(request))
        return lm.entry_to_proto(ledger.reverse_entry(cmd, self.uows, current_principal()))

    def GetBalance(self, request, context):
        name = MEMBERS.parse(request.member, "member")
        view = ledger_reads.get_balance(c.GetBalance(name.tenant, name.id, request.year), self.uows,
                                        current_principal())
        return lm.balance_to_proto(name.tenant, view)

    def ListEntries(self, request, context):
        code = tenant_code(request.parent, "parent")
        member_tenant, member_id = lm.member_ref(request.member, "member") if request.member else (code, "")
        cmd = c.ListEntries(code, member_id, lm.optional_unit_id(request.unit, code, "unit"), request.year,
                            request.rule_code, lm.status_filter(request.status), member_tenant,
                            request.page_size, request.page_token)
        found, token = ledger_reads.list_entries(cmd, self.uows, current_principal())
        return pb.ListEntriesResponse(entries=[lm.entry_to_proto(e) for e in found], next_page_token=token)

    def GetStandings(self, request, context):
        code = tenant_code(request.parent, "parent")
        cmd = c.GetStandings(code, lm.optional_unit_id(request.unit, code, "unit"), request.year, request.top_n,
                             request.bottom_n)
        return lm.standings_to_proto(code, ledger_reads.get_standings(cmd, self.uows, current_principal()))

    def GetUnitSummary(self, request, context):
        code = tenant_code(request.parent, "parent")
        cmd = c.GetUnitSummary(code, lm.optional_unit_id(request.unit, code, "unit"), request.year)
        return lm.summary_to_proto(code, ledger_reads.get_unit_summary(cmd, self.uows, current_principal()))

    def VerifyLedger(self, request, context):
        cmd = c.VerifyLedger(tenant_code(request.parent, "parent"))
        return lm.verification_to_proto(ledger_reads.verify_ledger(cmd, self.uows, current_principal()))
