"""OrganizationService over gRPC: thin, proto -> command -> use case -> proto.

Authentication and authorization already happened in the interceptor; errors raised below are
PlatformErrors that the interceptor turns into google.rpc.Status.
"""

from __future__ import annotations

from partybuilding.organization.v1 import organization_service_pb2 as pb
from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

from services.common.fieldmask import changes_from_mask
from services.common.grpc.interceptor import current_principal
from services.organization.domain.names import MEMBERS, POSTS, UNITS
from services.organization.entrypoints import mapping
from services.organization.entrypoints.import_jobs import ImportJobs
from services.organization.entrypoints.sheet_servicer import SheetServicer
from services.organization.service_layer import (
    commands,
    groupings,
    members,
    merges,
    posts,
    tenants,
    units,
)
from services.organization.service_layer.unit_of_work import OrgUnitOfWorkFactory

FULL_NAME = "partybuilding.organization.v1.OrganizationService"


class OrganizationServicer(SheetServicer, pb_grpc.OrganizationServiceServicer):
    def __init__(self, uows: OrgUnitOfWorkFactory):
        self.uows = uows
        self.jobs = ImportJobs(uows)

    # ------------------------------------------------------------ tenants

    def CreateTenant(self, request, context):
        t = request.tenant
        cmd = commands.CreateTenant(t.code, t.display_name, t.city_code, t.city_display_name,
                                    mapping.settings_from_proto(t.settings), request.request_id,
                                    mapping.request_fingerprint(request))
        return mapping.tenant_to_proto(tenants.create_tenant(cmd, self.uows, current_principal()))

    def GetTenant(self, request, context):
        cmd = commands.GetTenant(mapping.tenant_code(request.name))
        return mapping.tenant_to_proto(tenants.get_tenant(cmd, self.uows, current_principal()))

    def ListTenants(self, request, context):
        cmd = commands.ListTenants(request.city_code, request.page_size, request.page_token)
        found, token = tenants.list_tenants(cmd, self.uows, current_principal())
        return pb.ListTenantsResponse(tenants=[mapping.tenant_to_proto(t) for t in found], next_page_token=token)

    def UpdateTenant(self, request, context):
        code = mapping.tenant_code(request.tenant.name, "tenant.name")
        changes = changes_from_mask(request.tenant, request.update_mask.paths,
                                    {"settings": mapping.settings_from_proto})
        cmd = commands.UpdateTenant(code, changes, request.tenant.etag)
        return mapping.tenant_to_proto(tenants.update_tenant(cmd, self.uows, current_principal()))

    def ValidateTenant(self, request, context):
        cmd = commands.ValidateTenant(mapping.tenant_code(request.name))
        validation = tenants.validate_tenant(cmd, self.uows, current_principal())
        return pb.ValidateTenantResponse(findings=[mapping.finding_to_proto(f) for f in validation.findings],
                                         ok=validation.ok)

    # ------------------------------------------------------------ units

    def CreateUnit(self, request, context):
        code = mapping.tenant_code(request.parent, "parent")
        u = request.unit
        cmd = commands.CreateUnit(
            tenant=code, type=mapping.unit_type(u.type, "unit.type"), display_name=u.display_name,
            parent_id=mapping.optional_unit_id(u.parent, code, "unit.parent"), division_code=u.division_code,
            weak_and_lax=u.weak_and_lax, demonstration_site=u.demonstration_site, star_level=u.star_level,
            request_id=request.request_id, fingerprint=mapping.request_fingerprint(request),
        )
        return mapping.unit_to_proto(units.create_unit(cmd, self.uows, current_principal()))

    def GetUnit(self, request, context):
        name = UNITS.parse(request.name, "name")
        return mapping.unit_to_proto(units.get_unit(commands.GetUnit(name.tenant, name.id), self.uows,
                                                    current_principal()))

    def ListUnits(self, request, context):
        code = mapping.tenant_code(request.parent, "parent")
        cmd = commands.ListUnits(
            tenant=code, types=[mapping.unit_type(t, "types") for t in request.types if t],
            under_id=mapping.optional_unit_id(request.under, code, "under"), show_inactive=request.show_inactive,
            page_size=request.page_size, page_token=request.page_token,
        )
        found, token = units.list_units(cmd, self.uows, current_principal())
        response = pb.ListUnitsResponse(next_page_token=token)
        mapping.add_units(response.units, found)
        return response

    def UpdateUnit(self, request, context):
        name = UNITS.parse(request.unit.name, "unit.name")
        changes = changes_from_mask(request.unit, request.update_mask.paths,
                                    elsewhere={"parent": ("（上级请用 MoveUnit）", " here (use MoveUnit to change the parent)")})
        cmd = commands.UpdateUnit(name.tenant, name.id, changes, request.unit.etag)
        return mapping.unit_to_proto(units.update_unit(cmd, self.uows, current_principal()))

    def MoveUnit(self, request, context):
        name = UNITS.parse(request.name, "name")
        cmd = commands.MoveUnit(name.tenant, name.id,
                                mapping.optional_unit_id(request.new_parent, name.tenant, "new_parent"),
                                request.etag, request.reason)
        return mapping.unit_to_proto(units.move_unit(cmd, self.uows, current_principal()))

    def MergeUnits(self, request, context):
        name = UNITS.parse(request.target, "target")
        sources = [mapping.unit_id(s, name.tenant, f"sources[{i}]") for i, s in enumerate(request.sources)]
        cmd = commands.MergeUnits(name.tenant, name.id, sources, request.reason, request.request_id,
                                  mapping.request_fingerprint(request))
        return mapping.unit_to_proto(merges.merge_units(cmd, self.uows, current_principal()))

    def ArchiveUnit(self, request, context):
        name = UNITS.parse(request.name, "name")
        cmd = commands.ArchiveUnit(name.tenant, name.id, request.etag, request.reason)
        return mapping.unit_to_proto(units.archive_unit(cmd, self.uows, current_principal()))

    def GetUnitPath(self, request, context):
        name = UNITS.parse(request.name, "name")
        path = units.get_unit_path(commands.GetUnitPath(name.tenant, name.id), self.uows, current_principal())
        return pb.GetUnitPathResponse(units=[mapping.unit_to_proto(u) for u in path])

    def ListUnitHistory(self, request, context):
        name = UNITS.parse(request.name, "name")
        cmd = commands.ListUnitHistory(name.tenant, name.id, request.page_size, request.page_token)
        entries, token = units.list_unit_history(cmd, self.uows, current_principal())
        return pb.ListUnitHistoryResponse(entries=[mapping.history_to_proto(name.tenant, e) for e in entries],
                                          next_page_token=token)

    # ------------------------------------------------------------ members

    def CreateMember(self, request, context):
        code = mapping.tenant_code(request.parent, "parent")
        mb = request.member
        cmd = commands.CreateMember(
            tenant=code, unit_id=mapping.optional_unit_id(mb.unit, code, "member.unit") or "",
            display_name=mb.display_name, id_card_number=mb.id_card_number, phone=mb.phone,
            gender=mapping.gender(mb.gender, "member.gender"), status=mapping.member_status(mb.status, "member.status"),
            category=mapping.member_category(mb.category, "member.category"),
            joined_on=mb.joined_on, education=mb.education,
            request_id=request.request_id, fingerprint=mapping.request_fingerprint(request),
        )
        who = current_principal()
        return mapping.member_to_proto(members.create_member(cmd, self.uows, who), who)

    def GetMember(self, request, context):
        name = MEMBERS.parse(request.name, "name")
        who = current_principal()
        return mapping.member_to_proto(members.get_member(commands.GetMember(name.tenant, name.id), self.uows, who), who)

    def ListMembers(self, request, context):
        code = mapping.tenant_code(request.parent, "parent")
        holder = {pb.ListMembersRequest.HOLDERS: True, pb.ListMembersRequest.NON_HOLDERS: False}.get(request.post_holder)
        cmd = commands.ListMembers(
            tenant=code, under_id=mapping.optional_unit_id(request.under, code, "under"),
            status=mapping.member_status(request.status, "status"),
            category=mapping.member_category(request.category, "category"),
            post_holder=holder, show_transferred=request.show_transferred,
            page_size=request.page_size, page_token=request.page_token,
        )
        who = current_principal()
        found, token = members.list_members(cmd, self.uows, who)
        return pb.ListMembersResponse(members=[mapping.member_to_proto(x, who) for x in found], next_page_token=token)

    def UpdateMember(self, request, context):
        name = MEMBERS.parse(request.member.name, "member.name")
        changes = changes_from_mask(request.member, request.update_mask.paths, {
            "gender": lambda v: mapping.gender(v, "member.gender") or "",
            "status": lambda v: mapping.member_status(v, "member.status"),
            "category": lambda v: mapping.member_category(v, "member.category"),
        }, elsewhere={"unit": ("（转接请用 TransferMember）", " here (use TransferMember to change the unit)")})
        cmd = commands.UpdateMember(name.tenant, name.id, changes, request.member.etag)
        who = current_principal()
        return mapping.member_to_proto(members.update_member(cmd, self.uows, who), who)

    def TransferMember(self, request, context):
        name = MEMBERS.parse(request.name, "name")
        dest = UNITS.parse(request.to_unit, "to_unit")
        cmd = commands.TransferMember(name.tenant, name.id, dest.tenant, dest.id, request.reason, request.etag,
                                      request.request_id, mapping.request_fingerprint(request))
        who = current_principal()
        return mapping.member_to_proto(members.transfer_member(cmd, self.uows, who), who)

    def ListMemberHistory(self, request, context):
        name = MEMBERS.parse(request.name, "name")
        cmd = commands.ListMemberHistory(name.tenant, name.id, request.page_size, request.page_token)
        entries, token = members.list_member_history(cmd, self.uows, current_principal())
        return pb.ListMemberHistoryResponse(
            entries=[pb.MemberHistoryEntry(member=request.name, kind=e.kind, time=mapping.ts(e.at), actor=e.actor,
                                           from_unit=f, to_unit=t, detail=e.detail) for e, f, t in entries],
            next_page_token=token)

    # ------------------------------------------------------------ posts

    def AssignPost(self, request, context):
        code = mapping.tenant_code(request.parent, "parent")
        p = request.post
        cmd = commands.AssignPost(
            tenant=code, type=mapping.post_type(p.type, "post.type"),
            unit_id=mapping.optional_unit_id(p.unit, code, "post.unit") or "",
            member_id=mapping.member_id(p.member, code, "post.member") if p.member else "", start_date=p.start_date,
            term_end_date=p.term_end_date, dispatching_organ=p.dispatching_organ,
            request_id=request.request_id, fingerprint=mapping.request_fingerprint(request),
        )
        return mapping.post_to_proto(posts.assign_post(cmd, self.uows, current_principal()))

    def EndPost(self, request, context):
        name = POSTS.parse(request.name, "name")
        cmd = commands.EndPost(name.tenant, name.id, request.end_date, request.reason)
        return mapping.post_to_proto(posts.end_post(cmd, self.uows, current_principal()))

    def ListPosts(self, request, context):
        code = mapping.tenant_code(request.parent, "parent")
        cmd = commands.ListPosts(
            tenant=code, unit_id=mapping.optional_unit_id(request.unit, code, "unit"),
            member_id=mapping.member_id(request.member, code, "member") if request.member else None,
            include_history=request.include_history, page_size=request.page_size, page_token=request.page_token,
        )
        found, token = posts.list_posts(cmd, self.uows, current_principal())
        return pb.ListPostsResponse(posts=[mapping.post_to_proto(p) for p in found], next_page_token=token)

    # ------------------------------------------------------------ alliances and pairings

    def CreateAlliance(self, request, context):
        code = mapping.tenant_code(request.parent, "parent")
        a = request.alliance
        cmd = commands.CreateAlliance(
            tenant=code, display_name=a.display_name,
            lead_unit_id=mapping.optional_unit_id(a.lead_unit, code, "alliance.lead_unit") or "",
            member_unit_ids=[mapping.unit_id(u, code, f"alliance.member_units[{i}]")
                             for i, u in enumerate(a.member_units)],
            request_id=request.request_id, fingerprint=mapping.request_fingerprint(request),
        )
        return mapping.alliance_to_proto(groupings.create_alliance(cmd, self.uows, current_principal()))

    def ListAlliances(self, request, context):
        code = mapping.tenant_code(request.parent, "parent")
        cmd = commands.ListAlliances(code, mapping.optional_unit_id(request.unit, code, "unit") or "",
                                     request.page_size, request.page_token)
        found, token = groupings.list_alliances(cmd, self.uows, current_principal())
        return pb.ListAlliancesResponse(alliances=[mapping.alliance_to_proto(a) for a in found], next_page_token=token)

    def CreatePairing(self, request, context):
        code = mapping.tenant_code(request.parent, "parent")
        p = request.pairing
        cmd = commands.CreatePairing(
            tenant=code, organ_display_name=p.organ_display_name,
            unit_id=mapping.optional_unit_id(p.unit, code, "pairing.unit") or "", start_date=p.start_date,
            request_id=request.request_id, fingerprint=mapping.request_fingerprint(request),
        )
        return mapping.pairing_to_proto(groupings.create_pairing(cmd, self.uows, current_principal()))

    def ListPairings(self, request, context):
        code = mapping.tenant_code(request.parent, "parent")
        cmd = commands.ListPairings(code, mapping.optional_unit_id(request.unit, code, "unit") or "",
                                    request.page_size, request.page_token)
        found, token = groupings.list_pairings(cmd, self.uows, current_principal())
        return pb.ListPairingsResponse(pairings=[mapping.pairing_to_proto(p) for p in found], next_page_token=token)
