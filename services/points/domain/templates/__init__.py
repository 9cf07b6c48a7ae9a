"""The rule-set templates this service ships (YAML beside this module), which a county adopts
with CreateRuleSet(template=...) and then adapts. Each must pass check_rule_set (a unit test)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from services.points.domain.rule_set_format import load_yaml, parse_document
from services.points.domain.rule_sets import RuleSetContent


@dataclass(frozen=True)
class Template:
    id: str
    display_name: str
    description: str
    content: RuleSetContent


@cache
def shipped() -> dict[str, Template]:
    """Every shipped template by id (its file name), in file-name order."""
    found = {}
    for path in sorted(resources.files(__name__).iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".yaml"):
            continue
        document, problems = parse_document(load_yaml(path.read_text(encoding="utf-8")))
        if problems:  # a shipped file is ours: a problem in it is a bug, not a caller's mistake
            raise RuntimeError(f"template {path.name}: {problems}")
        template_id = path.name.removesuffix(".yaml")
        found[template_id] = Template(template_id, document.display_name, document.description, document.content)
    return found
