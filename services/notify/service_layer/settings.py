"""GetNotifySettings / UpdateNotifySettings: the county's notify settings document."""

from __future__ import annotations

from dataclasses import dataclass

from services.common.errors import not_found, stale_etag
from services.common.tenancy import check_etag
from services.notify.domain import settings as rules
from services.notify.domain.names import settings_name


@dataclass
class GetSettings:
    tenant: str


@dataclass
class UpdateSettings:
    tenant: str
    # {mask path: the value as JSON data, None where the request leaves it unset (the default)}
    changes: dict
    etag: str = ""


def load_settings(uow) -> rules.NotifySettings:
    """The county's effective settings, kept for the transaction (several checks read them)."""
    if "settings" not in uow.loaded:
        doc, version = uow.settings.load()
        uow.loaded["settings"] = rules.effective(doc, version)
    return uow.loaded["settings"]


def _known_county(uow) -> None:
    if uow.directory.tenant() is None:
        raise not_found("县", "county", settings_name(uow.tenant))


def get_settings(cmd: GetSettings, uows, who) -> tuple[rules.NotifySettings, dict]:
    with uows(cmd.tenant, write=False) as uow:
        _known_county(uow)
        return load_settings(uow), uow.settings.stamp()


def update_settings(cmd: UpdateSettings, uows, who) -> tuple[rules.NotifySettings, dict]:
    rules.check_paths(list(cmd.changes))
    with uows(cmd.tenant) as uow:
        _known_county(uow)
        doc, version = uow.settings.load()
        check_etag(cmd.etag, version, settings_name(cmd.tenant))
        changed = rules.seal_secrets(rules.apply_paths(doc, cmd.changes), doc, uow.data_key)
        checked = rules.effective(changed, version + 1)  # refuses a wrong field, naming it
        if not uow.settings.save(changed, version + 1, who.subject):
            raise stale_etag(settings_name(cmd.tenant))
        stamp = uow.settings.stamp()
        uow.commit()
        return checked, stamp
