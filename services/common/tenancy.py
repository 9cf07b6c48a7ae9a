"""Tenants (counties), resource names (tenants/{code}/<collection>/{id}) and etags, in one place.

Every service formats and parses its names and etags here; nobody writes "tenants/..." by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.common import identifiers
from services.common.errors import InvalidArgument, stale_etag

# The tenant a cross-county transaction binds (operators, the relay, the county list).
ALL_TENANTS = "*"
# fullmatch everywhere: `$` would let "610297\n" through.
TENANT_CODE = re.compile(r"[1-9][0-9]{5}")
# Collections are lowerCamelCase plurals (AIP-122): units, ruleSets.
_NAME = re.compile(r"tenants/(?P<tenant>[^/]+)(?:/(?P<collection>[a-z][A-Za-z]*)/(?P<id>[^/\x00-\x1f\x7f]+))?")
_SEGMENT = re.compile(r"[^/\x00-\x1f\x7f]+")


def city_of(county_code: str) -> str:
    """The city a county belongs to by its division code: 610222 -> 610200."""
    return county_code[:4] + "00"


def is_county_code(code: str) -> bool:
    """A county code is 6 digits and not a city (xxxx00) or province (xx0000) code."""
    return bool(TENANT_CODE.fullmatch(code)) and not code.endswith("00")


def is_city_code(code: str) -> bool:
    return bool(TENANT_CODE.fullmatch(code)) and code.endswith("00") and not code.endswith("0000")


@dataclass(frozen=True)
class ResourceName:
    tenant: str
    collection: str | None
    id: str | None

    def __str__(self) -> str:
        if self.collection is None:
            return tenant_name(self.tenant)
        return Collection(self.collection).name(self.tenant, self.id)


def tenant_of(name: str) -> str | None:
    """The tenant code a resource name starts with, without judging the rest (for authz).

    None when the name names no tenant code at all (`tenants/610222%2Funits%2Fu-1`): there is
    no tenant to authorize against, and parsing the name answers INVALID_ARGUMENT for the field,
    where "permission denied on tenants/610222%2F..." would blame the caller's own county.
    """
    if not name.startswith("tenants/"):
        return None
    rest = name[len("tenants/"):]
    code = identifiers.normalize(rest.split("/", 1)[0])
    return code if TENANT_CODE.fullmatch(code) else None


def parse_name(name: str, field_path: str, collection: str | None) -> ResourceName:
    """Parse `tenants/{code}` (collection None) or `tenants/{code}/{collection}/{id}`."""
    match = _NAME.fullmatch(name or "")
    want = "tenants/{code}" if collection is None else f"tenants/{{code}}/{collection}/{{id}}"
    code = identifiers.normalize(match["tenant"]) if match else ""
    if not match or match["collection"] != collection or not TENANT_CODE.fullmatch(code):
        raise InvalidArgument.field(
            field_path,
            f"资源名格式应为 {want}，收到 {name!r}",
            f"must be a resource name of the form {want}, got {name!r}",
            "MALFORMED_RESOURCE_NAME",
        )
    # The id is spelt as the code is (identifiers.py): ｍ－０１ names the resource m-01 names.
    resource_id = identifiers.normalize(match["id"]) if match["id"] is not None else None
    return ResourceName(code, match["collection"], resource_id)


def tenant_name(code: str) -> str:
    return f"tenants/{code}"


@dataclass(frozen=True)
class Collection:
    """One collection of a service's resources, e.g. `Collection("units")`."""

    plural: str

    def name(self, tenant: str, resource_id: str) -> str:
        return f"tenants/{tenant}/{self.plural}/{resource_id}"

    def parse(self, name: str, field_path: str) -> ResourceName:
        return parse_name(name, field_path, self.plural)

    def id_in(self, name: str, tenant: str, field_path: str) -> str:
        """The id of a resource a request names besides its own, which must be of the request's county.

        Only a caller of several counties reaches the county check: `policy.check_names_visible`
        refused the others before validation."""
        found = self.parse(name, field_path)
        check_same_county(found.tenant, tenant, field_path)
        return found.id


def check_same_county(found: str, tenant: str, field_path: str) -> None:
    """A resource a request names besides its own is of the request's county (INVALID_ARGUMENT)."""
    if found != tenant:
        raise InvalidArgument.field(field_path, "必须属于同一个县", "must belong to the same county as the request",
                                    "CROSS_TENANT_REFERENCE")


@dataclass(frozen=True)
class ChildName:
    """A parsed `tenants/{code}/{collection}/{parent_id}/{plural}/{id}`."""

    tenant: str
    parent_id: str
    id: str


@dataclass(frozen=True)
class SubCollection:
    """A collection under a resource, e.g. `SubCollection(Collection("ruleSets"), "revisions")`."""

    parent: Collection
    plural: str

    def name(self, tenant: str, parent_id: str, child_id: str | int) -> str:
        return f"{self.parent.name(tenant, parent_id)}/{self.plural}/{child_id}"

    def parse(self, name: str, field_path: str) -> ChildName:
        head, sep, child_id = (name or "").rpartition(f"/{self.plural}/")
        match = _NAME.fullmatch(head) if sep and _SEGMENT.fullmatch(child_id) else None
        if match is None or match["collection"] != self.parent.plural:
            want = f"tenants/{{code}}/{self.parent.plural}/{{id}}/{self.plural}/{{id}}"
            raise InvalidArgument.field(field_path, f"资源名格式应为 {want}，收到 {name!r}",
                                        f"must be a resource name of the form {want}, got {name!r}",
                                        "MALFORMED_RESOURCE_NAME")
        parent = parse_name(head, field_path, self.parent.plural)  # judges the tenant code
        return ChildName(parent.tenant, parent.id, identifiers.normalize(child_id))


def etag_of(version: int) -> str:
    return f'"{version}"'


def check_etag(given: str, version: int, name: str) -> None:
    """An empty etag means "overwrite"; a stale one is ABORTED (AIP-154)."""
    if given and given != etag_of(version):
        raise stale_etag(name)
