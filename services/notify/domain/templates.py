"""Message templates: Jinja2 in a sandbox, per event type, channel and locale.

A template sees only the fields its event type declares (FIELDS); rendering one that names any
other field fails (StrictUndefined), which is how a template is checked when it is saved. The
shipped zh-CN defaults (DEFAULTS) answer for every event type a tenant has not overridden.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from services.notify.domain.messages import Channel

DEFAULT_LOCALE = "zh-CN"

# autoescape off: the channels are plain text (inbox, SMS) and JSON built from the payload, not
# from the rendered text (webhook), so nothing rendered reaches an HTML page unescaped.
_ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


@dataclass(frozen=True)
class Template:
    event_type: str  # points.threshold_crossed, notify.reminder_due, ...
    channel: Channel
    locale: str
    subject: str  # Jinja2 source
    body: str  # Jinja2 source


class RenderError(ValueError):
    """A template that does not compile, or names a field its event type does not have."""


# {event type: the fields its data has}; a template may name only these. Each producer of
# messages (an event consumer, the reminder sweep, the calendar) registers its event types.
FIELDS: dict[str, frozenset[str]] = {}

# {(event type, channel): zh-CN default}.
DEFAULTS: dict[tuple[str, Channel], Template] = {}

# {event type: sample data}: what PreviewTemplate renders and a template is checked against when
# saved; a field without a sample shows as its own name in brackets.
SAMPLES: dict[str, dict[str, str]] = {}


def register(event_type: str, fields: set[str] | frozenset[str], defaults: dict[Channel, tuple[str, str]],
             sample: dict[str, str] | None = None) -> None:
    """Declare an event type's fields, its zh-CN default (subject, body) per channel and sample data."""
    FIELDS[event_type] = frozenset(fields)
    SAMPLES[event_type] = {name: (sample or {}).get(name, f"[{name}]") for name in sorted(fields)}
    for channel, (subject, body) in defaults.items():
        DEFAULTS[(event_type, channel)] = Template(event_type, channel, DEFAULT_LOCALE, subject, body)


@lru_cache(maxsize=1024)
def _compiled(source: str):
    # Compiling is most of rendering's cost: a sweep renders one template thousands of times.
    return _ENV.from_string(source)


def render(template: Template, data: dict) -> tuple[str, str]:
    """(subject, body) of `template` over `data`; RenderError names what is wrong."""
    try:
        return (_compiled(template.subject).render(data).strip(), _compiled(template.body).render(data).strip())
    except TemplateError as exc:
        raise RenderError(str(exc)) from exc


def parse(source: str):
    """The template's syntax tree (jinja2.nodes.Template); TemplateSyntaxError when it does not compile."""
    return _ENV.parse(source)
