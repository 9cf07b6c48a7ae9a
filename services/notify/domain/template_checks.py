"""What a county's own template must satisfy before it is stored (模板校验).

A template is refused at save time, not when the first event meets it: it must compile, name only
the fields its event type declares, stay inside the sandbox (no attribute starting with `_`, so
no `''.__class__`), compute nothing large (no `*` or `**`, no number beyond MAX_NUMBER: a
`'x' * 10**9` would take the worker's memory) and render the event type's sample data within the
size limits. Plain Python over Jinja2's parser; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.exceptions import SecurityError

from services.notify.domain.messages import Channel
from services.notify.domain.templates import FIELDS, SAMPLES, RenderError, Template, parse, render

LOCALES = ("zh-CN", "en-US")
# Channels that show rendered text; a webhook POSTs the event's data, not a template's text.
TEXT_CHANNELS = (Channel.INBOX, Channel.SMS)
SUBJECT_MAX = 100  # characters of a template's subject source, and of what it renders
BODY_MAX = 2000  # characters of a template's body source
RENDERED_BODY_MAX = 4000  # characters of a rendered body (fields can be long: a problem's description)
MAX_NUMBER = 10_000  # the largest number a template may write (a width, a slice bound)


@dataclass(frozen=True)
class Problem:
    field: str  # template.subject or template.body
    zh: str
    en: str


def _static_problems(source: str, field: str, event_type: str) -> list[Problem]:
    try:
        tree = parse(source)
    except TemplateSyntaxError as exc:
        return [Problem(field, f"模板无法编译（第{exc.lineno}行）：{exc.message}",
                        f"does not compile (line {exc.lineno}): {exc.message}")]
    problems = []
    known = FIELDS.get(event_type, frozenset())
    for name in sorted(meta.find_undeclared_variables(tree) - known):
        problems.append(Problem(
            field, f"引用了未知字段 {name}（可用字段：{'、'.join(sorted(known))}）",
            f"names unknown field {name!r} (the fields of {event_type}: {', '.join(sorted(known))})"))
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attr = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if isinstance(attr, str) and attr.startswith("_"):
            problems.append(Problem(field, f"不允许访问内部属性 {attr}",
                                    f"reaches for internal attribute {attr!r}: refused by the sandbox"))
    if any(True for _ in tree.find_all((nodes.Mul, nodes.Pow))):
        problems.append(Problem(field, "模板中不允许乘法或乘方运算", "must not multiply or raise to a power"))
    for const in tree.find_all(nodes.Const):
        if isinstance(const.value, int | float) and not isinstance(const.value, bool) and abs(const.value) > MAX_NUMBER:
            problems.append(Problem(field, f"数字 {const.value} 超出上限 {MAX_NUMBER}",
                                    f"number {const.value} exceeds {MAX_NUMBER}"))
    return problems


def check_template(template: Template, data: dict | None = None) -> list[Problem]:
    """Everything wrong with a template's sources (as already stripped of hidden characters);
    rendered over `data` (else the event type's sample data) when the sources are sound."""
    problems = (_static_problems(template.subject, "template.subject", template.event_type)
                + _static_problems(template.body, "template.body", template.event_type))
    if problems:
        return problems
    data = SAMPLES.get(template.event_type, {}) if data is None else data
    rendered = {}
    for field, source, limit in (("template.subject", template.subject, SUBJECT_MAX),
                                 ("template.body", template.body, RENDERED_BODY_MAX)):
        try:
            rendered[field] = render(replace(template, subject=source, body=""), data)[0]
        except RenderError as exc:
            cause = exc.__cause__ or exc
            if isinstance(cause, SecurityError):
                problems.append(Problem(field, f"模板越出沙箱：{cause}", f"leaves the sandbox: {cause}"))
            else:
                problems.append(Problem(field, f"模板无法渲染：{cause}", f"does not render: {cause}"))
            continue
        if len(rendered[field]) > limit:
            problems.append(Problem(field, f"渲染后超过{limit}个字符（示例数据下为{len(rendered[field])}个）",
                                    f"renders longer than {limit} characters ({len(rendered[field])} on the sample)"))
    return problems
