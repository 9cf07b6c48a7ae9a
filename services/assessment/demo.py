"""The demo county's assessment schemes for `make run`: 宜君县 (610222) adopts every shipped
template under the template's own id, and publishes 评星定级 (star-rating), on which the demo
rounds (demo_rounds.py) run.

The platform loads each service's demo in name order, so `load_demo` runs before the
organization's demo creates the county: schemes need nothing from the directory. What needs the
directory (the demo rounds) loads in `load_demo_serving`, once the platform serves and the
directory has been resynced through it.
"""

from __future__ import annotations

import logging

from services.assessment import demo_rounds
from services.assessment.domain.scheme import ResultRules, Scheme
from services.assessment.domain.templates import shipped
from services.assessment.service_layer import commands, directory, schemes
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWorkFactory
from services.common.auth import Principal
from services.common.errors import AlreadyExists, PlatformError

log = logging.getLogger("partybuilding.assessment.demo")

DEMO_CODE = "610222"
PUBLISHED = ("star-rating",)
DEMO_EFFECTIVE_FROM = "2025-01-01"  # last year's round runs on it too

NOTHING = Scheme("", "", 0, None, "", "", None, None, (), (), (), (), (), ResultRules())


def load_demo(uows: AssessmentUnitOfWorkFactory, code: str = DEMO_CODE) -> bool:
    """Adopt each template (and publish star-rating) unless already there; True if anything was loaded."""
    who, loaded = Principal.operator("demo"), False
    for template in shipped():
        try:
            schemes.create_scheme(commands.CreateScheme(code, template, NOTHING, template=template), uows, who)
        except AlreadyExists:
            continue
        loaded = True
        if template in PUBLISHED:
            schemes.publish_scheme(commands.PublishScheme(code, template, DEMO_EFFECTIVE_FROM), uows, who)
    return loaded


def load_demo_serving(uows: AssessmentUnitOfWorkFactory, code: str = DEMO_CODE) -> bool:
    """Once the platform serves: the county's directory from the organization (what the demo
    rounds enumerate their targets from), then the demo rounds (demo_rounds.py); False when there
    is no such county to show."""
    try:
        directory.resync(commands.ResyncDirectory(code), uows, Principal.operator("demo"))
    except PlatformError as exc:  # no such county (the organization's demo did not run): nothing to show
        log.warning("assessment demo: no directory for %s: %s", code, exc)
        return False
    demo_rounds.load_demo_rounds(uows, PUBLISHED[0], code)  # nothing when there is no village to assess
    return True
