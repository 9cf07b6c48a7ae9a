"""OrganizationService over gRPC: thin, proto -> command -> use case -> proto.

Authentication and authorization already happened in the interceptor; errors raised below are
PlatformErrors that the interceptor turns into google.rpc.Status.
"""

from __future__ import annotations

from partybuilding.organization.v1 import organization_service_pb2 as pb
from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

from services.common import identifiers
from services.common.db import ALL_TENANTS
from services.common.errors import InvalidArgument
from services.common.grpc.interceptor import current_principal
from services.common.pagination import PageTokens
from services.common.tenancy import is_city_code, parse_name
from services.organization.entrypoints import mapping as m
from services.organization.entrypoints.import_jobs import ImportJobs
from services.organization.entrypoints.sheet_servicer import SheetServicer
from services.organization.service_layer import commands as c
from services.organization.service_layer import groupings, members, posts, tenants, units
from services.organization.service_layer.unit_of_work import OrgUnitOfWorkFactory

FULL_NAME = "partybuilding.organization.v1.OrganizationService"


def _changes(source, mask, convert: dict | None = None) -> dict:
    """update_mask paths -> {path: value}; unknown paths pass through for the use case to refuse."""
    convert = convert or {}
    out = {}
    for path in mask.paths:
        value = source
        try:
            for part in path.split("."):
                value = getattr(value, part)
        except AttributeError:
            value = None
        out[path] = convert[path](value) if path in convert and value is not None else value
    return out


class OrganizationServicer(SheetServicer, pb_grpc.OrganizationServiceServicer):
    def __init__(self, uow: OrgUnitOfWorkFactory, tokens: PageTokens):
        self.uow = uow
        self.tokens = tokens
        self.jobs = ImportJobs(uow)

    # ------------------------------------------------------------ tenants

    def CreateTenant(self, request, context):
        t = request.tenant
        cmd = c.CreateTenant(t.code, t.display_name, t.city_code, t.city_display_name,
                             m.settings_from_proto(t.settings), request.request_id, m.request_fingerprint(request))
        return m.tenant_to_proto(tenants.create_tenant(cmd, self.uow(ALL_TENANTS)))

    def GetTenant(self, request, context):
        code = m.tenant_code(request.name)
        return m.tenant_to_proto(tenants.get_tenant(code, self.uow(code, write=False)))

    def ListTenants(self, request, context):
        city_code = identifiers.require(request.city_code, "city_code")
        if city_code and not is_city_code(city_code):
            raise InvalidArgument.field("city_code", "应为6位市级区划代码", "must be a 6-digit city code")
        found, token = tenants.list_tenants(current_principal(), city_code, request.page_size,
                                            request.page_token, self.uow(ALL_TENANTS, write=False), self.tokens)
        return pb.ListTenantsResponse(tenants=[m.tenant_to_proto(t) for t in found], next_page_token=token)

    def UpdateTenant(self, request, context):
        code = m.tenant_code(request.tenant.name, "tenant.name")
        changes = _changes(request.tenant, request.update_mask,
                           {"settings": m.settings_from_proto})
        cmd = c.UpdateTenant(code, changes, request.tenant.etag)
        return m.tenant_to_proto(tenants.update_tenant(cmd, self.uow(code)))

    def ValidateTenant(self, request, context):
        code = m.tenant_code(request.name)
        findings = tenants.validate_tenant(code, self.uow(code, write=False))
        return pb.ValidateTenantResponse(findings=[m.finding_to_proto(f) for f in findings],
                                         ok=not any(f.severity == "ERROR" for f in findings))

    # ------------------------------------------------------------ units

    def CreateUnit(self, request, context):
        code = m.tenant_code(request.parent, "parent")
        u = request.unit
        cmd = c.CreateUnit(
            tenant=code, type=m.unit_type(u.type, "unit.type"), display_name=u.display_name,
            parent_id=m.optional_unit_id(u.parent, code, "unit.parent"), division_code=u.division_code,
            weak_and_lax=u.weak_and_lax, demonstration_site=u.demonstration_site, star_level=u.star_level,
            request_id=request.request_id, fingerprint=m.request_fingerprint(request),
        )
        return m.unit_to_proto(units.create_unit(cmd, self.uow(code), current_principal()))

    def GetUnit(self, request, context):
        name = parse_name(request.name, "name", "units")
        return m.unit_to_proto(units.get_unit(name.tenant, name.id, self.uow(name.tenant, write=False)))

    def ListUnits(self, request, context):
        code = m.tenant_code(request.parent, "parent")
        cmd = c.ListUnits(
            tenant=code, types=[m.unit_type(t, "types") for t in request.types if t],
            under_id=m.optional_unit_id(request.under, code, "under"), show_inactive=request.show_inactive,
            page_size=request.page_size, page_token=request.page_token,
        )
        found, token = units.list_units(cmd, self.uow(code, write=False), self.tokens)
        response = pb.ListUnitsResponse(next_page_token=token)
        m.add_units(response.units, found)
        return response

    def UpdateUnit(self, request, context):
        name = parse_name(request.unit.name, "unit.name", "units")
        cmd = c.UpdateUnit(name.tenant, name.id, _changes(request.unit, request.update_mask), request.unit.etag)
        return m.unit_to_proto(units.update_unit(cmd, self.uow(name.tenant), current_principal()))

    def MoveUnit(self, request, context):
        name = parse_name(request.name, "name", "units")
        cmd = c.MoveUnit(name.tenant, name.id, m.optional_unit_id(request.new_parent, name.tenant, "new_parent"),
                         request.etag, request.reason)
        return m.unit_to_proto(units.move_unit(cmd, self.uow(name.tenant), current_principal()))

    def MergeUnits(self, request, context):
        name = parse_name(request.target, "target", "units")
        sources = [m.unit_id(s, name.tenant, f"sources[{i}]") for i, s in enumerate(request.sources)]
        cmd = c.MergeUnits(name.tenant, name.id, sources, request.reason, request.request_id,
                           m.request_fingerprint(request))
        return m.unit_to_proto(units.merge_units(cmd, self.uow(name.tenant), current_principal()))

    def ArchiveUnit(self, request, context):
        name = parse_name(request.name, "name", "units")
        cmd = c.ArchiveUnit(name.tenant, name.id, request.etag, request.reason)
        return m.unit_to_proto(units.archive_unit(cmd, self.uow(name.tenant), current_principal()))

    def GetUnitPath(self, request, context):
        name = parse_name(request.name, "name", "units")
        path = units.unit_path(name.tenant, name.id, self.uow(name.tenant, write=False))
        return pb.GetUnitPathResponse(units=[m.unit_to_proto(u) for u in path])

    def ListUnitHistory(self, request, context):
        name = parse_name(request.name, "name", "units")
        entries, token = units.unit_history(name.tenant, name.id, request.page_size, request.page_token,
                                            self.uow(name.tenant, write=False), self.tokens)
        return pb.ListUnitHistoryResponse(entries=[m.history_to_proto(name.tenant, e) for e in entries],
                                          next_page_token=token)

    # ------------------------------------------------------------ members

    def CreateMember(self, request, context):
        code = m.tenant_code(request.parent, "parent")
        mb = request.member
        cmd = c.CreateMember(
            tenant=code, unit_id=m.optional_unit_id(mb.unit, code, "member.unit") or "", display_name=mb.display_name,
            id_card_number=mb.id_card_number, phone=mb.phone, gender=m.gender(mb.gender, "member.gender"),
            status=m.member_status(mb.status, "member.status"), category=m.member_category(mb.category, "member.category"),
            joined_on=mb.joined_on, education=mb.education,
            request_id=request.request_id, fingerprint=m.request_fingerprint(request),
        )
        who = current_principal()
        return m.member_to_proto(members.create_member(cmd, self.uow(code), who), who)

    def GetMember(self, request, context):
        name = parse_name(request.name, "name", "members")
        who = current_principal()
        return m.member_to_proto(members.get_member(name.tenant, name.id, self.uow(name.tenant, write=False), who), who)

    def ListMembers(self, request, context):
        code = m.tenant_code(request.parent, "parent")
        holder = {pb.ListMembersRequest.HOLDERS: True, pb.ListMembersRequest.NON_HOLDERS: False}.get(request.post_holder)
        cmd = c.ListMembers(
            tenant=code, under_id=m.optional_unit_id(request.under, code, "under"),
            status=m.member_status(request.status, "status"), category=m.member_category(request.category, "category"),
            post_holder=holder, show_transferred=request.show_transferred,
            page_size=request.page_size, page_token=request.page_token,
        )
        who = current_principal()
        found, token = members.list_members(cmd, self.uow(code, write=False), who, self.tokens)
        return pb.ListMembersResponse(members=[m.member_to_proto(x, who) for x in found], next_page_token=token)

    def UpdateMember(self, request, context):
        name = parse_name(request.member.name, "member.name", "members")
        changes = _changes(request.member, request.update_mask, {
            "gender": lambda v: m.gender(v, "member.gender") or "",
            "status": lambda v: m.member_status(v, "member.status"),
            "category": lambda v: m.member_category(v, "member.category"),
        })
        for key in ("status", "category"):
            if key in changes and changes[key] is None:
                raise InvalidArgument.field(f"member.{key}", "不能设为未指定", "must not be unspecified")
        cmd = c.UpdateMember(name.tenant, name.id, changes, request.member.etag)
        who = current_principal()
        return m.member_to_proto(members.update_member(cmd, self.uow(name.tenant), who), who)

    def TransferMember(self, request, context):
        name = parse_name(request.name, "name", "members")
        dest = parse_name(request.to_unit, "to_unit", "units")
        cmd = c.TransferMember(name.tenant, name.id, dest.tenant, dest.id, request.reason, request.etag,
                               request.request_id, m.request_fingerprint(request))
        who = current_principal()
        scope = name.tenant if dest.tenant == name.tenant else ALL_TENANTS
        return m.member_to_proto(members.transfer_member(cmd, self.uow(scope), who), who)

    def ListMemberHistory(self, request, context):
        name = parse_name(request.name, "name", "members")
        entries, token = members.member_history(name.tenant, name.id, request.page_size, request.page_token,
                                                self.uow(name.tenant, write=False), current_principal(), self.tokens)
        return pb.ListMemberHistoryResponse(
            entries=[pb.MemberHistoryEntry(member=request.name, kind=e.kind, time=m.ts(e.at), actor=e.actor,
                                           from_unit=f, to_unit=t, detail=e.detail) for e, f, t in entries],
            next_page_token=token)

    # ------------------------------------------------------------ posts

    def AssignPost(self, request, context):
        code = m.tenant_code(request.parent, "parent")
        p = request.post
        cmd = c.AssignPost(
            tenant=code, type=m.post_type(p.type, "post.type"), unit_id=m.optional_unit_id(p.unit, code, "post.unit") or "",
            member_id=m.member_id(p.member, code, "post.member") if p.member else "", start_date=p.start_date,
            term_end_date=p.term_end_date, dispatching_organ=p.dispatching_organ,
            request_id=request.request_id, fingerprint=m.request_fingerprint(request),
        )
        return m.post_to_proto(posts.assign_post(cmd, self.uow(code), current_principal()))

    def EndPost(self, request, context):
        name = parse_name(request.name, "name", "posts")
        cmd = c.EndPost(name.tenant, name.id, request.end_date, request.reason)
        return m.post_to_proto(posts.end_post(cmd, self.uow(name.tenant), current_principal()))

    def ListPosts(self, request, context):
        code = m.tenant_code(request.parent, "parent")
        cmd = c.ListPosts(
            tenant=code, unit_id=m.optional_unit_id(request.unit, code, "unit"),
            member_id=m.member_id(request.member, code, "member") if request.member else None,
            include_history=request.include_history, page_size=request.page_size, page_token=request.page_token,
        )
        found, token = posts.list_posts(cmd, self.uow(code, write=False), current_principal(), self.tokens)
        return pb.ListPostsResponse(posts=[m.post_to_proto(p) for p in found], next_page_token=token)

    # ------------------------------------------------------------ alliances and pairings

    def CreateAlliance(self, request, context):
        code = m.tenant_code(request.parent, "parent")
        a = request.alliance
        cmd = c.CreateAlliance(
            tenant=code, display_name=a.display_name,
            lead_unit_id=m.optional_unit_id(a.lead_unit, code, "alliance.lead_unit") or "",
            member_unit_ids=[m.unit_id(u, code, f"alliance.member_units[{i}]") for i, u in enumerate(a.member_units)],
            request_id=request.request_id, fingerprint=m.request_fingerprint(request),
        )
        return m.alliance_to_proto(groupings.create_alliance(cmd, self.uow(code), current_principal()))

    def ListAlliances(self, request, context):
        code = m.tenant_code(request.parent, "parent")
        unit = m.optional_unit_id(request.unit, code, "unit") or ""
        found, token = groupings.list_alliances(code, unit, request.page_size, request.page_token,
                                                self.uow(code, write=False), self.tokens)
        return pb.ListAlliancesResponse(alliances=[m.alliance_to_proto(a) for a in found], next_page_token=token)

    def CreatePairing(self, request, context):
        code = m.tenant_code(request.parent, "parent")
        p = request.pairing
        cmd = c.CreatePairing(
            tenant=code, organ_display_name=p.organ_display_name,
            unit_id=m.optional_unit_id(p.unit, code, "pairing.unit") or "", start_date=p.start_date,
            request_id=request.request_id, fingerprint=m.request_fingerprint(request),
        )
        return m.pairing_to_proto(groupings.create_pairing(cmd, self.uow(code), current_principal()))

    def ListPairings(self, request, context):
        code = m.tenant_code(request.parent, "parent")
        unit = m.optional_unit_id(request.unit, code, "unit") or ""
        found, token = groupings.list_pairings(code, unit, request.page_size, request.page_token,
                                               self.uow(code, write=False), self.tokens)
        return pb.ListPairingsResponse(pairings=[m.pairing_to_proto(p) for p in found], next_page_token=token)
