"""Sealed values in a dump: opened with the source's data key, sealed again with the target's.

Two deployments hold different PB_DATA_KEYs, so a sealed value (or a keyed digest) copied as it
is would neither open nor match on the target. The dump therefore carries them in clear:
members' ID numbers, phones and birth dates, a county's webhook secrets and its SMS gateway key
(which is why the file is written 0600 and handled as the member sheet is). The restore seals
them and derives the digests under its own key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from services.common.sealing import DataKey
from services.notify.domain.channel_settings import SEALED_FIELD as SMS_KEY_FIELD
from services.notify.service_layer.webhooks import SECRET_FIELD as WEBHOOK_SECRET_FIELD
from services.organization.adapters.repositories.members import BIRTH_DATE, ID_CARD, PHONE


@dataclass(frozen=True)
class SealedColumn:
    column: str  # as stored
    field: str  # the sealing's associated data
    clear: str  # the dump's key for the value in clear


SEALED_COLUMNS = {
    ("organization", "members"): (SealedColumn("id_card_sealed", ID_CARD, ID_CARD),
                                  SealedColumn("phone_sealed", PHONE, PHONE),
                                  SealedColumn("birth_date_sealed", BIRTH_DATE, BIRTH_DATE)),
    ("notify", "webhook_endpoints"): (SealedColumn("secret_sealed", WEBHOOK_SECRET_FIELD, "secret"),),
}
# Keyed digests, derived again on the target: (service, table) -> column.
DIGESTS = {("organization", "members"): "id_card_digest", ("organization", "person_registry"): "id_card_digest"}
SMS_KEY = "sms_gateway_key"  # notify_settings: the dump's key for channels.sms.key_sealed in clear


def opened(service: str, table: str, row: dict, key: DataKey) -> dict:
    """A row as the dump holds it: sealed values opened, keyed digests dropped."""
    row = dict(row)
    for sealed in SEALED_COLUMNS.get((service, table), ()):
        row[sealed.clear] = key.open(sealed.field, row.pop(sealed.column))
    row.pop(DIGESTS.get((service, table), ""), None)
    if (service, table) == ("notify", "notify_settings"):
        doc = json.loads(row["doc"])
        sms = (doc.get("channels") or {}).get("sms") or {}
        if sms.get("key_sealed"):
            row[SMS_KEY] = key.open(SMS_KEY_FIELD, sms.pop("key_sealed"))
            row["doc"] = json.dumps(doc, ensure_ascii=False, sort_keys=True)
    return row


class Resealer:
    """Seals rows of the dump with the target's key; remembers members' ID numbers for the registry."""

    def __init__(self, key: DataKey):
        self.key = key
        self._id_cards: dict[str, str] = {}

    def sealed(self, service: str, table: str, row: dict) -> dict:
        row, clear = dict(row), {}
        for sealed in SEALED_COLUMNS.get((service, table), ()):
            clear[sealed.field] = row.pop(sealed.clear)
            row[sealed.column] = self.key.seal(sealed.field, clear[sealed.field])
        if (service, table) == ("organization", "members"):
            self._id_cards[row["id"]] = clear[ID_CARD]
        if (service, table) in DIGESTS:
            member = row["id"] if table == "members" else row["member_id"]
            row[DIGESTS[service, table]] = self.key.digest(ID_CARD, self._id_cards[member])
        if (service, table) == ("notify", "notify_settings") and SMS_KEY in row:
            doc = json.loads(row["doc"])
            doc["channels"]["sms"]["key_sealed"] = self.key.seal(SMS_KEY_FIELD, row.pop(SMS_KEY))
            row["doc"] = json.dumps(doc, ensure_ascii=False, sort_keys=True)
        return row


def restore_order(service: str, table_name: str) -> int:
    """Members before the person registry, which is keyed by their digests."""
    return 1 if (service, table_name) == ("organization", "person_registry") else 0
