"""The scheme templates this service ships (YAML beside this module), which a county adopts with
CreateScheme(template=...) and then adapts. Each must pass check_scheme (a unit test loads each)."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from importlib import resources

import yaml

from services.assessment.domain.scheme import Scheme
from services.assessment.domain.scheme_format import parse_document


@cache
def shipped() -> dict[str, Scheme]:
    """Every shipped template by id (its file name), in file-name order; `template` names it."""
    found = {}
    for path in sorted(resources.files(__name__).iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".yaml"):
            continue
        scheme, problems = parse_document(yaml.safe_load(path.read_text(encoding="utf-8")))
        if problems:  # a shipped file is ours: a problem in it is a bug, not a caller's mistake
            raise RuntimeError(f"template {path.name}: {problems}")
        template_id = path.name.removesuffix(".yaml")
        found[template_id] = replace(scheme, template=template_id)
    return found
