"""What every service's entrypoints/mapping.py needs from a request or for an answer, once.

Organization and points still keep their own copies of these (they came first); a new service
imports them from here. A request's fingerprint (AIP-155) is request_ids.request_fingerprint.
"""

from __future__ import annotations

import datetime as dt

from google.protobuf.timestamp_pb2 import Timestamp

from services.common.tenancy import parse_name


def ts(value: dt.datetime | None) -> Timestamp | None:
    """A datetime as a Timestamp; None stays unset."""
    if value is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def tenant_code(name: str, field_path: str = "name") -> str:
    """The county code of `tenants/{code}` (or of any resource name), INVALID_ARGUMENT on `field_path` if malformed."""
    return parse_name(name, field_path, None).tenant
