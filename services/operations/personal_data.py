"""Sealed personal data in a dump: opened with the source's data key, sealed again with the target's.

Two deployments hold different PB_DATA_KEYs, so a sealed ID number (or its keyed digest) copied
as it is would neither open nor match on the target. The dump therefore carries ID numbers,
phones and birth dates in clear (which is why the file is written 0600 and must be handled as
the member sheet is), and the restore seals them and derives the digests under its own key.
"""

from __future__ import annotations

from services.common.sealing import DataKey
from services.organization.adapters.repositories.members import BIRTH_DATE, ID_CARD, PHONE

# organization.members: sealed column -> the field it seals (and the dump's key for it).
SEALED_MEMBER_COLUMNS = {"id_card_sealed": ID_CARD, "phone_sealed": PHONE, "birth_date_sealed": BIRTH_DATE}


def opened(service: str, table: str, row: dict, key: DataKey) -> dict:
    """A row as the dump holds it: sealed columns opened, keyed digests dropped."""
    if service != "organization":
        return row
    if table == "members":
        row = dict(row)
        for column, field in SEALED_MEMBER_COLUMNS.items():
            row[field] = key.open(field, row.pop(column))
        row.pop("id_card_digest")
    elif table == "person_registry":
        row = {k: v for k, v in row.items() if k != "id_card_digest"}
    return row


class Resealer:
    """Seals rows of the dump with the target's key; remembers members' ID numbers for the registry."""

    def __init__(self, key: DataKey):
        self.key = key
        self._id_cards: dict[str, str] = {}

    def sealed(self, service: str, table: str, row: dict) -> dict:
        if service != "organization":
            return row
        if table == "members":
            row = dict(row)
            self._id_cards[row["id"]] = row[ID_CARD]
            for column, field in SEALED_MEMBER_COLUMNS.items():
                row[column] = self.key.seal(field, row.pop(field))
            row["id_card_digest"] = self.key.digest(ID_CARD, self._id_cards[row["id"]])
        elif table == "person_registry":
            row = {**row, "id_card_digest": self.key.digest(ID_CARD, self._id_cards[row["member_id"]])}
        return row


def restore_order(service: str, table_name: str) -> int:
    """Members before the person registry, which is keyed by their digests."""
    return 1 if (service, table_name) == ("organization", "person_registry") else 0
