"""Use cases for cross-unit groupings: alliances (区域党建联盟) and pairings (结对共建)."""

from __future__ import annotations

from services.common.auth import Principal
from services.common.clock import parse_date, today_in
from services.common.errors import InvalidArgument, Validator
from services.common.ids import new_id
from services.common.pagination import PageTokens, cut_page, page_size
from services.common.text import normalize
from services.organization.domain.model import Alliance, Pairing, UnitType
from services.organization.service_layer import commands
from services.organization.service_layer.access import (
    check_within,
    load_tenant,
    referenced_unit,
)
from services.organization.service_layer.unit_of_work import OrgUnitOfWork

GROUPABLE = frozenset({UnitType.VILLAGE, UnitType.COMMUNITY})


def _village(uow: OrgUnitOfWork, who: Principal, unit_id: str, field_path: str):
    unit = referenced_unit(uow, unit_id, field_path, "村（社区）党组织不存在")
    if unit.type not in GROUPABLE or not unit.active:
        raise InvalidArgument.field(field_path, "只能是现有的村或社区党组织", "must be an active VILLAGE or COMMUNITY",
                                    "NOT_A_VILLAGE")
    check_within(uow, who, unit)
    return unit


def create_alliance(cmd: commands.CreateAlliance, uow: OrgUnitOfWork, who: Principal) -> Alliance:
    v = Validator()
    v.text(cmd.display_name, "alliance.display_name", max_len=100)
    v.require(bool(cmd.member_unit_ids), "alliance.member_units", "联盟至少要有一个成员村", "must name at least one member village")
    v.require(cmd.lead_unit_id not in cmd.member_unit_ids, "alliance.member_units", "牵头村不必重复列为成员",
              "must not repeat the lead unit")
    v.require(len(set(cmd.member_unit_ids)) == len(cmd.member_unit_ids), "alliance.member_units", "有重复的村", "must not repeat a unit")
    v.raise_if_any()
    with uow:
        done = uow.idempotency.seen("CreateAlliance", cmd.request_id, cmd.fingerprint)
        if done:
            return uow.groupings.get_alliance(done)
        load_tenant(uow, cmd.tenant)
        _village(uow, who, cmd.lead_unit_id, "alliance.lead_unit")
        for i, unit_id in enumerate(cmd.member_unit_ids):
            _village(uow, who, unit_id, f"alliance.member_units[{i}]")
        alliance = Alliance(new_id("a"), cmd.tenant, normalize(cmd.display_name), cmd.lead_unit_id, sorted(cmd.member_unit_ids))
        uow.groupings.add_alliance(alliance)
        uow.idempotency.remember("CreateAlliance", cmd.request_id, cmd.fingerprint, f"tenants/{cmd.tenant}/alliances/{alliance.id}")
        uow.commit()
        return alliance


def _page(kind: str, fetch, tenant: str, unit_id: str, size: int, token: str, uow: OrgUnitOfWork,
          tokens: PageTokens) -> tuple[list, str]:
    """A page of alliances or pairings, all of the county's or those touching one unit;
    `fetch(repository)` picks the repository's list method."""
    limit = page_size(size)
    query = f"{kind};u={unit_id}"
    after = tokens.decode(token, query, tenant=tenant, shape=(str,))
    with uow:
        load_tenant(uow, tenant)
        found = fetch(uow.groupings)(unit_id or None, after[0] if after else None, limit + 1)
    return cut_page(found, limit, tokens, query, lambda g: [g.id], tenant=tenant)


def list_alliances(tenant: str, unit_id: str, size: int, token: str, uow: OrgUnitOfWork,
                   tokens: PageTokens) -> tuple[list[Alliance], str]:
    return _page("alliances", lambda repo: repo.list_alliances, tenant, unit_id, size, token, uow, tokens)


def create_pairing(cmd: commands.CreatePairing, uow: OrgUnitOfWork, who: Principal) -> Pairing:
    v = Validator()
    v.text(cmd.organ_display_name, "pairing.organ_display_name", max_len=100)
    if cmd.start_date:
        v.require(parse_date(cmd.start_date) is not None, "pairing.start_date", "日期格式应为 YYYY-MM-DD", "must be a date YYYY-MM-DD")
    v.raise_if_any()
    with uow:
        done = uow.idempotency.seen("CreatePairing", cmd.request_id, cmd.fingerprint)
        if done:
            return uow.groupings.get_pairing(done)
        tenant = load_tenant(uow, cmd.tenant)
        _village(uow, who, cmd.unit_id, "pairing.unit")
        start = cmd.start_date or today_in(tenant.settings.time_zone).isoformat()
        pairing = Pairing(new_id("pr"), cmd.tenant, normalize(cmd.organ_display_name), cmd.unit_id, start)
        uow.groupings.add_pairing(pairing)
        uow.idempotency.remember("CreatePairing", cmd.request_id, cmd.fingerprint, f"tenants/{cmd.tenant}/pairings/{pairing.id}")
        uow.commit()
        return pairing


def list_pairings(tenant: str, unit_id: str, size: int, token: str, uow: OrgUnitOfWork,
                  tokens: PageTokens) -> tuple[list[Pairing], str]:
    return _page("pairings", lambda repo: repo.list_pairings, tenant, unit_id, size, token, uow, tokens)
