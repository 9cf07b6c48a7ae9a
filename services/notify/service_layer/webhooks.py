"""Webhook endpoints of the county (Create/Get/List/Update/Delete) and their delivery log."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace

from services.common.clock import utcnow
from services.common.errors import Validator, check_update_mask, not_found, stale_etag
from services.common.ids import new_id
from services.common.pagination import Page
from services.common.tenancy import check_etag
from services.notify.adapters.repositories.deliveries import Attempt
from services.notify.domain.webhooks import FIELDS, WebhookEndpoint, check_fields, endpoint_name

SECRET_FIELD = "notify.webhook_secret"  # the sealing's associated data


@dataclass
class CreateEndpoint:
    tenant: str
    display_name: str
    url: str
    event_types: list[str]
    request_id: str = ""
    fingerprint: str = ""


@dataclass
class UpdateEndpoint:
    tenant: str
    id: str
    changes: dict  # {field: value} of the mask
    etag: str = ""


@dataclass
class EndpointRef:
    tenant: str
    id: str
    etag: str = ""


@dataclass
class ListEndpoints:
    tenant: str
    page_size: int = 0
    page_token: str = ""


@dataclass
class ListDeliveries:
    tenant: str
    endpoint_id: str
    page_size: int = 0
    page_token: str = ""


@dataclass(frozen=True)
class Created:
    endpoint: WebhookEndpoint
    secret: str = field(repr=False)


def _load(uow, endpoint_id: str) -> WebhookEndpoint:
    found = uow.webhooks.get(endpoint_id)
    if found is None:
        raise not_found("推送接口", "webhook endpoint", endpoint_name(uow.tenant, endpoint_id))
    return found


def create_endpoint(cmd: CreateEndpoint, uows, who) -> Created:
    """A new endpoint, enabled; the answer holds its signing secret (a retry with the same
    request_id answers it again: the first answer may be the one that was lost)."""
    v = Validator()
    fields = check_fields(v, {"display_name": cmd.display_name, "url": cmd.url, "event_types": cmd.event_types},
                          "webhook_endpoint")
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        claim = uow.idempotency.claim("CreateWebhookEndpoint", cmd)
        if claim.done:
            found = _load(uow, claim.done)
            return Created(found, uow.data_key.open(SECRET_FIELD, found.secret_sealed))
        now, secret = utcnow(), "whsec_" + secrets.token_urlsafe(32)
        endpoint = WebhookEndpoint(uow.tenant, new_id("wh"), fields["display_name"], fields["url"],
                                   fields["event_types"], uow.data_key.seal(SECRET_FIELD, secret), True, "", 0,
                                   now, now)
        uow.webhooks.add(endpoint)
        claim.remember(endpoint_name(uow.tenant, endpoint.id))
        uow.commit()
        return Created(endpoint, secret)


def get_endpoint(cmd: EndpointRef, uows, who) -> WebhookEndpoint:
    with uows(cmd.tenant, write=False) as uow:
        return _load(uow, cmd.id)


def list_endpoints(cmd: ListEndpoints, uows, who) -> tuple[list[WebhookEndpoint], str]:
    page = Page.open(cmd, uows.page_tokens, shape=(str,))
    with uows(cmd.tenant, write=False) as uow:
        found = uow.webhooks.page(page.after_one(), page.fetch)
    return page.cut(found, lambda e: [e.id])


def update_endpoint(cmd: UpdateEndpoint, uows, who) -> WebhookEndpoint:
    """Change the mask's fields; enabling an endpoint clears its failures and the reason."""
    check_update_mask(cmd.changes, FIELDS)
    v = Validator()
    changes = check_fields(v, cmd.changes, "webhook_endpoint")
    v.raise_if_any()
    with uows(cmd.tenant) as uow:
        found = _load(uow, cmd.id)
        check_etag(cmd.etag, found.version, endpoint_name(uow.tenant, found.id))
        if changes.get("enabled") is True:
            changes.update(disabled_reason="", consecutive_failures=0)
        elif changes.get("enabled") is False and found.enabled:
            changes["disabled_reason"] = f"由 {who.subject} 停用 / disabled by {who.subject}"
        changes = {k: (bool(v) if k == "enabled" else v) for k, v in changes.items()}
        changed = replace(found, **changes, updated_at=utcnow(), version=found.version + 1)
        if not uow.webhooks.save(changed):
            raise stale_etag(endpoint_name(uow.tenant, found.id))
        uow.commit()
        return changed


def delete_endpoint(cmd: EndpointRef, uows, who) -> None:
    """Gone: its queued messages fail when their turn comes ("the endpoint was deleted")."""
    with uows(cmd.tenant) as uow:
        found = _load(uow, cmd.id)
        check_etag(cmd.etag, found.version, endpoint_name(uow.tenant, found.id))
        uow.webhooks.remove(found.id)
        uow.commit()


def list_deliveries(cmd: ListDeliveries, uows, who) -> tuple[list[Attempt], str]:
    """An endpoint's calls, newest first."""
    page = Page.open(cmd, uows.page_tokens, shape=(str, str))
    with uows(cmd.tenant, write=False) as uow:
        _load(uow, cmd.endpoint_id)
        found = uow.deliveries.of_recipient(cmd.endpoint_id, tuple(page.after) if page.after else None, page.fetch)
    rows, token = page.cut(found, lambda row: [row[1].attempted_at.isoformat(), row[0]])
    return [attempt for _, attempt in rows], token
