"""What every service's entrypoints/mapping.py needs from a request or for an answer, once.

Organization and points still keep their own copies of these three (they came first); a new
service imports them from here.
"""

from __future__ import annotations

import datetime as dt

from google.protobuf.timestamp_pb2 import Timestamp

from services.common.tenancy import parse_name
from services.common.uow import fingerprint


def ts(value: dt.datetime | None) -> Timestamp | None:
    """A datetime as a Timestamp; None stays unset."""
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def request_fingerprint(request) -> str:
    """Hash of the request minus its request_id: the same body retried hashes the same (AIP-155)."""
    clone = type(request)()
    clone.CopyFrom(request)
    clone.ClearField("request_id")
    return fingerprint(clone.SerializeToString(deterministic=True))


def tenant_code(name: str, field_path: str = "name") -> str:
    """The county code of `tenants/{code}` (or of any resource name), INVALID_ARGUMENT on `field_path` if malformed."""
    return parse_name(name, field_path, None).tenant
