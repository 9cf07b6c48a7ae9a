"""AIP-134 updates: an `update_mask` and the resource it points into, as a dict of changes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping


class MaskChanges(dict):
    """{path: value} of one update, knowing what a refusal must say about its paths.

    `resource` is the message the mask points into ("Unit"), `unknown` the paths that name no
    field of it, `elsewhere` {path: (zh, en)}: where a field of it is changed instead ("use
    MoveUnit"). The gRPC layer knows its RPCs, so it says this, not the use case.
    """

    def __init__(self, items: dict, resource: str, unknown: frozenset[str],
                 elsewhere: Mapping[str, tuple[str, str]]):
        super().__init__(items)
        self.resource, self.unknown, self.elsewhere = resource, unknown, dict(elsewhere)


def _is_field(descriptor, path: str) -> bool:
    for part in path.split("."):
        fd = descriptor.fields_by_name.get(part) if descriptor is not None else None
        if fd is None:
            return False
        # A mask names a repeated field whole (AIP-161): `rules.points` is no field of the message.
        descriptor = None if _is_repeated(fd) else fd.message_type
    return True


def _is_repeated(fd) -> bool:
    is_repeated = getattr(fd, "is_repeated", None)  # protobuf >= 5.29; `label` is deprecated there
    return bool(is_repeated) if is_repeated is not None else fd.label == fd.LABEL_REPEATED


def changes_from_mask(source, paths: Iterable[str], convert: dict[str, Callable] | None = None,
                      elsewhere: Mapping[str, tuple[str, str]] | None = None) -> MaskChanges:
    """{path: value} for each mask path, read from the message `source`.

    `convert[path]` maps a present value to the domain's (an enum number to a domain enum).
    Unknown paths pass through with value None, for the use case to refuse by name
    (errors.check_update_mask), so the refusal reads the same for every Update RPC.
    """
    convert = convert or {}
    out, unknown = {}, set()
    for path in paths:
        if not _is_field(source.DESCRIPTOR, path):
            out[path] = None
            unknown.add(path)
            continue
        value = source
        for part in path.split("."):
            value = getattr(value, part)
        out[path] = convert[path](value) if path in convert and value is not None else value
    return MaskChanges(out, source.DESCRIPTOR.name, frozenset(unknown), elsewhere or {})
