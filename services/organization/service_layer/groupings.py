"""Use cases for cross-unit groupings: alliances (区域党建联盟) and pairings (结对共建)."""

from __future__ import annotations

from services.common.auth import Principal
from services.common.clock import today_in
from services.common.errors import InvalidArgument, Validator
from services.common.ids import new_id
from services.common.pagination import Page
from services.common.text import normalize
from services.organization.domain.model import Alliance, Pairing, UnitType
from services.organization.domain.names import alliance_name, pairing_name
from services.organization.service_layer import commands
from services.organization.service_layer.loaders import load_tenant, referenced_unit
from services.organization.service_layer.scope import check_within
from services.organization.service_layer.unit_of_work import OrgUnitOfWork, OrgUnitOfWorkFactory

GROUPABLE = frozenset({UnitType.VILLAGE, UnitType.COMMUNITY})


def _village(uow: OrgUnitOfWork, who: Principal, unit_id: str, field_path: str):
    unit = referenced_unit(uow, unit_id, field_path, "村（社区）党组织不存在")
    if unit.type not in GROUPABLE or not unit.active:
        raise InvalidArgument.field(field_path, "只能是现有的村或社区党组织", "must be an active VILLAGE or COMMUNITY",
                                    "NOT_A_VILLAGE")
    check_within(uow, who, unit)
    return unit


def create_alliance(cmd: commands.CreateAlliance, uows: OrgUnitOfWorkFactory, who: Principal) -> Alliance:
    v = Validator()
    v.text(cmd.display_name, "alliance.display_name", max_len=100)
    v.require(bool(cmd.member_unit_ids), "alliance.member_units", "联盟至少要有一个成员村", "must name at least one member village")
    v.require(cmd.lead_unit_id not in cmd.member_unit_ids, "alliance.member_units", "牵头村不必重复列为成员",
              "must not repeat the lead unit")
    v.require(len(set(cmd.member_unit_ids)) == len(cmd.member_unit_ids), "alliance.member_units", "有重复的村", "must not repeat a unit")
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("CreateAlliance", cmd)
        if claim.done:
            return uow.groupings.get_alliance(claim.done)
        load_tenant(uow, cmd.tenant)
        _village(uow, who, cmd.lead_unit_id, "alliance.lead_unit")
        for i, unit_id in enumerate(cmd.member_unit_ids):
            _village(uow, who, unit_id, f"alliance.member_units[{i}]")
        alliance = Alliance(new_id("a"), cmd.tenant, normalize(cmd.display_name), cmd.lead_unit_id, sorted(cmd.member_unit_ids))
        uow.groupings.add_alliance(alliance)
        claim.remember(alliance_name(cmd.tenant, alliance.id))
        uow.commit()
        return alliance


def _page(cmd: commands.ListAlliances | commands.ListPairings, fetch, uows: OrgUnitOfWorkFactory) -> tuple[list, str]:
    """A page of alliances or pairings, all of the county's or those touching one unit;
    `fetch(repository)` picks the repository's list method."""
    page = Page.open(cmd, uows.page_tokens, shape=(str,))
    with uows(cmd.tenant, write=False) as uow:
        load_tenant(uow, cmd.tenant)
        found = fetch(uow.groupings)(cmd.unit_id or None, page.after_one(), page.fetch)
    return page.cut(found, lambda g: [g.id])


def list_alliances(cmd: commands.ListAlliances, uows: OrgUnitOfWorkFactory,
                   who: Principal) -> tuple[list[Alliance], str]:
    return _page(cmd, lambda repo: repo.list_alliances, uows)


def create_pairing(cmd: commands.CreatePairing, uows: OrgUnitOfWorkFactory, who: Principal) -> Pairing:
    v = Validator()
    v.text(cmd.organ_display_name, "pairing.organ_display_name", max_len=100)
    start = v.date(cmd.start_date, "pairing.start_date")
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("CreatePairing", cmd)
        if claim.done:
            return uow.groupings.get_pairing(claim.done)
        tenant = load_tenant(uow, cmd.tenant)
        _village(uow, who, cmd.unit_id, "pairing.unit")
        start = start or today_in(tenant.settings.time_zone)
        pairing = Pairing(new_id("pr"), cmd.tenant, normalize(cmd.organ_display_name), cmd.unit_id, start)
        uow.groupings.add_pairing(pairing)
        claim.remember(pairing_name(cmd.tenant, pairing.id))
        uow.commit()
        return pairing


def list_pairings(cmd: commands.ListPairings, uows: OrgUnitOfWorkFactory,
                  who: Principal) -> tuple[list[Pairing], str]:
    return _page(cmd, lambda repo: repo.list_pairings, uows)
