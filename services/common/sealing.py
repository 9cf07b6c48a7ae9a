"""Personal data at rest: AES-GCM sealing and keyed digests from one deployment key.

ID numbers, phones and birth dates are stored sealed (AES-256-GCM, a fresh nonce each time),
so a copy of the database or a backup does not hold them in clear. Equality, which uniqueness
needs, is asked of a keyed digest (HMAC-SHA256) instead: without the key an attacker cannot
test candidate ID numbers against it, as they could against a plain hash. Two subkeys are
derived (HKDF) from the one key in `PB_DATA_KEY`, one per purpose.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
_PREFIX = "v1."
_NONCE_BYTES = 12


def _subkey(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=purpose).derive(master)


class DataKey:
    """Seals and opens one column's values; `field` is bound into each ciphertext (associated
    data), so a sealed phone copied into the ID column does not open."""

    def __init__(self, master: bytes):
        if len(master) != KEY_BYTES:
            raise ValueError(f"a data key is {KEY_BYTES} bytes, not {len(master)}")
        self._aead = AESGCM(_subkey(master, b"partybuilding seal v1"))
        self._mac = _subkey(master, b"partybuilding digest v1")

    def seal(self, field: str, value: str) -> str:
        if not value:
            return ""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, value.encode(), field.encode())
        return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, field: str, sealed: str) -> str:
        if not sealed:
            return ""
        raw = base64.urlsafe_b64decode(sealed.removeprefix(_PREFIX))
        return self._aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], field.encode()).decode()

    def digest(self, field: str, value: str) -> str:
        """The same value always gives the same digest (per field); hex, 64 characters."""
        return hmac.new(self._mac, f"{field}\0{value}".encode(), hashlib.sha256).hexdigest()
