"""Use cases for tenants (counties): onboarding, settings, validation of the station layout."""

from __future__ import annotations

from dataclasses import dataclass, replace

from services.common import identifiers
from services.common.archive import without_archived
from services.common.auth import Principal
from services.common.errors import (
    AlreadyExists,
    InvalidArgument,
    Validator,
    check_update_mask,
    stale_etag,
)
from services.common.metrics import KNOWN_TENANTS
from services.common.pagination import Page
from services.common.tenancy import (
    ALL_TENANTS,
    check_etag,
    city_of,
    is_city_code,
    is_county_code,
    tenant_name,
)
from services.common.text import normalize
from services.organization.domain import rules
from services.organization.domain.events import TenantCreated, TenantUpdated
from services.organization.domain.model import Tenant
from services.organization.domain.snapshots import TenantSnapshot
from services.organization.service_layer import commands
from services.organization.service_layer.loaders import load_tenant
from services.organization.service_layer.unit_of_work import OrgUnitOfWorkFactory

TENANT_FIELDS = {
    "display_name", "city_display_name", "settings", "settings.work_station_min_villages",
    "settings.work_station_max_villages", "settings.time_zone", "settings.locale",
}


def create_tenant(cmd: commands.CreateTenant, uows: OrgUnitOfWorkFactory, who: Principal) -> Tenant:
    # "６１０２９７" is 610297; "610297\n" is refused by name, never stored as a second county.
    code = identifiers.require(cmd.code, "tenant.code")
    city_code = identifiers.require(cmd.city_code, "tenant.city_code")
    v = Validator()
    v.require(is_county_code(code), "tenant.code", "应为6位县级行政区划代码（如610222）",
              "must be a 6-digit county division code such as 610222")
    v.text(cmd.display_name, "tenant.display_name", max_len=50)
    city = city_code or (city_of(code) if is_county_code(code) else "")
    v.require(not city_code or (is_city_code(city_code) and code.startswith(city_code[:4])),
              "tenant.city_code", "应为该县所属市的6位代码（如610200）",
              "must be the 6-digit code of the county's city, such as 610200")
    v.text(cmd.city_display_name, "tenant.city_display_name", max_len=50, required=False)
    v.raise_if_any()
    rules.check_settings(cmd.settings)
    # The county does not exist yet: its row is written from across the tenants.
    with uows(ALL_TENANTS) as uow:
        claim = uow.idempotency.claim("CreateTenant", cmd)
        if claim.done:
            return load_tenant(uow, code)
        if uow.tenants.get(code) is not None:
            raise AlreadyExists("TENANT_EXISTS", f"县 {code} 已存在", f"tenant {tenant_name(code)} already exists",
                                {"tenant": code})
        tenant = Tenant(code, normalize(cmd.display_name), city, normalize(cmd.city_display_name), cmd.settings)
        uow.tenants.add(tenant)
        claim.remember(tenant_name(code))
        uow.emit(TenantCreated(code, tenant.display_name, city, snapshot=TenantSnapshot.of(tenant)), tenant=code)
        uow.commit()
        KNOWN_TENANTS.add(code)
        return tenant


def get_tenant(cmd: commands.GetTenant, uows: OrgUnitOfWorkFactory, who: Principal) -> Tenant:
    with uows(cmd.code, write=False) as uow:
        return load_tenant(uow, cmd.code)


def list_tenants(cmd: commands.ListTenants, uows: OrgUnitOfWorkFactory, who: Principal) -> tuple[list[Tenant], str]:
    """Operators see every county; a city its own counties; others the counties they name."""
    city_code = cmd.city_code = identifiers.require(cmd.city_code, "city_code")
    if city_code and not is_city_code(city_code):
        raise InvalidArgument.field("city_code", "应为6位市级区划代码", "must be a 6-digit city code")
    # The tenant list spans tenants; what it shows is filtered by the caller, not by the token.
    page = Page.open(cmd, uows.page_tokens, shape=(str,), tenant=ALL_TENANTS)
    codes = cities = None
    if not who.all_tenants:
        if who.role.value == "city":
            cities = who.tenants
        else:
            codes = who.tenants
    if city_code:
        cities = frozenset({city_code}) & cities if cities is not None else frozenset({city_code})
    with uows(ALL_TENANTS, write=False) as uow:
        found = uow.tenants.list(codes=codes, city_codes=cities, after=page.after_one(), limit=page.fetch)
    return page.cut(found, lambda t: [t.code])


def update_tenant(cmd: commands.UpdateTenant, uows: OrgUnitOfWorkFactory, who: Principal) -> Tenant:
    check_update_mask(cmd.changes, TENANT_FIELDS)
    with uows(cmd.code) as uow:
        tenant = load_tenant(uow, cmd.code)
        check_etag(cmd.etag, tenant.version, tenant_name(cmd.code))
        settings = tenant.settings
        for path, value in cmd.changes.items():
            if path == "settings":
                settings = value
            elif path.startswith("settings."):
                settings = replace(settings, **{path.split(".", 1)[1]: value})
            else:
                setattr(tenant, path, normalize(value))
        v = Validator()
        v.text(tenant.display_name, "tenant.display_name", max_len=50)
        v.text(tenant.city_display_name, "tenant.city_display_name", max_len=50, required=False)
        v.raise_if_any()
        rules.check_settings(settings)
        if settings.work_station_max_villages < tenant.settings.work_station_max_villages:
            rules.check_maximum_holds(settings, uow.units.stations_with_coverage(rules.STATION_COVERED))
        tenant.settings = settings
        if not uow.tenants.update(tenant):
            raise stale_etag(tenant_name(cmd.code))
        uow.emit(TenantUpdated(cmd.code, sorted(cmd.changes), snapshot=TenantSnapshot.of(tenant)), tenant=cmd.code)
        uow.commit()
        return tenant


@dataclass(frozen=True)
class Validation:
    findings: list[rules.Finding]

    @property
    def ok(self) -> bool:
        """No finding is an error (warnings leave the layout valid)."""
        return not any(f.severity == "ERROR" for f in self.findings)


def validate_tenant(cmd: commands.ValidateTenant, uows: OrgUnitOfWorkFactory, who: Principal) -> Validation:
    """Every work station outside the tenant's [min, max] bounds."""
    with uows(cmd.code, write=False) as uow:
        tenant = load_tenant(uow, cmd.code)
        findings: list[rules.Finding] = []
        for station, covered in uow.units.stations_with_coverage(rules.STATION_COVERED):
            findings += rules.station_findings(station, covered, tenant.settings)
        return Validation(findings)


def list_tenant_codes(uows: OrgUnitOfWorkFactory) -> list[str]:
    """Every county's code: the tenants metric labels may name."""
    with uows(ALL_TENANTS, write=False) as uow:
        return uow.tenants.codes()


def codes_to_sweep(uows: OrgUnitOfWorkFactory) -> list[str]:
    """The counties the daily jobs visit: every one not archived."""
    with uows(ALL_TENANTS, write=False) as uow:
        return without_archived(uow.conn, uow.tenants.codes())
