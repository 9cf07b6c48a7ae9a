"""AIP-134 updates: an `update_mask` and the resource it points into, as a dict of changes."""

from __future__ import annotations

from collections.abc import Callable, Iterable


def changes_from_mask(source, paths: Iterable[str], convert: dict[str, Callable] | None = None) -> dict:
    """{path: value} for each mask path, read from `source` (a message or any object).

    `convert[path]` maps a present value to the domain's (an enum number to a domain enum).
    Unknown paths pass through with value None, for the use case to refuse by name
    (errors.check_update_mask), so the refusal reads the same for every Update RPC.
    """
    convert = convert or {}
    out = {}
    for path in paths:
        value = source
        try:
            for part in path.split("."):
                value = getattr(value, part)
        except AttributeError:
            value = None
        out[path] = convert[path](value) if path in convert and value is not None else value
    return out
