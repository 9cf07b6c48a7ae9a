"""The demo county's notices for `make run`: 宜君县 (610222)."""

from __future__ import annotations

from services.notify.service_layer.unit_of_work import NotifyUnitOfWorkFactory

DEMO_CODE = "610222"


def load_demo(uows: NotifyUnitOfWorkFactory, code: str = DEMO_CODE) -> bool:
    """Nothing yet: the week's task list arrives with the notices (issue 10, part 1)."""
    return False
