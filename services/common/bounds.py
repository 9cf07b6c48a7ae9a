"""Request bounds every RPC of every service gets before its servicer runs.

A request with 70,000 `types` reached the database as 70,000 bind parameters and came back as
"database unavailable; retry". Bounds at the door answer INVALID_ARGUMENT instead, naming the
field: at most MAX_ITEMS items in any repeated field, at most MAX_STRING characters in any
string, no NUL anywhere (PostgreSQL refuses NUL in text; a name with one is never meant), and
no enum number the proto does not define. Proto3 keeps an unknown enum number as it came, and a
servicer reading a filter with `.get(value)` took 7 for "no filter" and answered everyone: one
check here holds for every enum field of every request, filters, nested messages and maps alike.
Free-text fields have tighter, per-field limits from `Validator.text`; the message as a whole is
bounded by the server's max_receive_message_length (services/common/grpc/server.py).
"""

from __future__ import annotations

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from services.common.errors import FieldViolation, InvalidArgument

MAX_ITEMS = 100
MAX_STRING = 4096


def check_request_bounds(request: Message, max_items: int = MAX_ITEMS) -> None:
    """INVALID_ARGUMENT (reason REQUEST_OUT_OF_BOUNDS) naming every field out of bounds."""
    violations: list[FieldViolation] = []
    _walk(request, "", max_items, violations)
    if violations:
        raise InvalidArgument.of(violations, "REQUEST_OUT_OF_BOUNDS")


def _walk(message: Message, prefix: str, max_items: int, out: list[FieldViolation]) -> None:
    for fd, value in message.ListFields():
        path = prefix + fd.name
        if fd.is_repeated:
            if len(value) > max_items:
                out.append(FieldViolation(path, f"不能超过{max_items}项（收到{len(value)}项）",
                                          f"must have at most {max_items} items (got {len(value)})"))
                continue
            if fd.message_type is not None and fd.message_type.GetOptions().map_entry:
                key_fd, value_fd = fd.message_type.fields_by_name["key"], fd.message_type.fields_by_name["value"]
                for key, item in value.items():
                    _check_one(key_fd, key, f"{path}[{key!r:.20}]", max_items, out)
                    _check_one(value_fd, item, f"{path}[{key!r:.20}]", max_items, out)
                continue
            for i, item in enumerate(value):
                _check_one(fd, item, f"{path}[{i}]", max_items, out)
        else:
            _check_one(fd, value, path, max_items, out)


def _check_one(fd: FieldDescriptor, value, path: str, max_items: int, out: list[FieldViolation]) -> None:
    if fd.type == FieldDescriptor.TYPE_STRING:
        if len(value) > MAX_STRING:
            out.append(FieldViolation(path, f"不能超过{MAX_STRING}个字符", f"must be at most {MAX_STRING} characters"))
        elif "\x00" in value:
            out.append(FieldViolation(path, "不能包含 NUL 字符", "must not contain NUL characters"))
    elif fd.type == FieldDescriptor.TYPE_ENUM:
        if value not in fd.enum_type.values_by_number:
            out.append(FieldViolation(path, f"未知的取值 {value}", f"unknown value {value}"))
    elif fd.type == FieldDescriptor.TYPE_MESSAGE and isinstance(value, Message):
        _walk(value, path + ".", max_items, out)
