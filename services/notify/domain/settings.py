"""A county's notify settings: one document, one section per concern, each checked by the part
that uses it.

Stored as JSON (adapters/repositories/settings.py) holding only what the county changed; a
missing section or key takes the platform's default. Each concern registers its section with
a `check(section, field_path) -> section` that fills in the defaults and raises the kernel's
InvalidArgument naming the field (`settings.reminders.before[0]`). Sections: `reminders`,
`calendar` (docs/notify-reminders.md), `channels` (docs/notify-channels.md).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from services.common.errors import InvalidArgument

Check = Callable[[dict, str], dict]
# (section as changed, section as stored before, the deployment's DataKey) -> section to store.
Seal = Callable[[dict, dict, object], dict]

# {section name: its check}, filled by each concern's module at import.
SECTIONS: dict[str, Check] = {}
# {section name: how its secrets are stored}, for sections that hold one (channels' gateway key).
SEALS: dict[str, Seal] = {}


def register_section(name: str, check: Check, seal: Seal | None = None) -> None:
    SECTIONS[name] = check
    if seal is not None:
        SEALS[name] = seal


def seal_secrets(doc: dict, stored: dict, key) -> dict:
    """`doc` as it is stored: each section's secrets sealed (never kept in clear)."""
    out = dict(doc)
    for name, seal in SEALS.items():
        if name in out or name in stored:
            sealed = seal(out.get(name) or {}, stored.get(name) or {}, key)
            if sealed:
                out[name] = sealed
            else:
                out.pop(name, None)
    return out


def _passthrough(section: dict, field_path: str) -> dict:
    return section


@dataclass(frozen=True)
class NotifySettings:
    """The effective settings (defaults filled in) and the stored document they came from."""

    sections: dict  # {section: its checked dict}
    stored: dict
    version: int

    def section(self, name: str) -> dict:
        return self.sections.get(name, {})


def effective(doc: dict, version: int) -> NotifySettings:
    """Every registered section of `doc`, checked with its defaults filled in."""
    sections = {name: check(doc.get(name) or {}, f"settings.{name}") for name, check in SECTIONS.items()}
    return NotifySettings(sections, doc, version)


def check_paths(paths: list[str]) -> None:
    """A mask names at least one path, each inside a known section."""
    if not paths:
        raise InvalidArgument.field("update_mask", "请指明要修改的设置", "must name at least one setting to change")
    for path in paths:
        if path.split(".", 1)[0] not in SECTIONS:
            raise InvalidArgument.field("update_mask", f"没有设置项 {path}",
                                        f"{path!r} is not a section of NotifySettings ({', '.join(sorted(SECTIONS))})")


def apply_paths(doc: dict, changes: dict[str, object]) -> dict:
    """`doc` with each path set to its value, or removed (back to the default) where it is None."""
    out = copy.deepcopy(doc)
    for path, value in sorted(changes.items()):
        *parents, leaf = path.split(".")
        node = out
        for part in parents:
            child = node.get(part)
            if not isinstance(child, dict):
                if value is None:
                    break
                child = node[part] = {}
            node = child
        else:
            if value is None:
                node.pop(leaf, None)
            else:
                node[leaf] = copy.deepcopy(value)
    return {name: section for name, section in out.items() if section not in ({}, None)}
