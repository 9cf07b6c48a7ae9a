"""The points service's directory of the organization (docs/directory.md): rebuilding it."""

from __future__ import annotations

from services.common.auth import Principal
from services.common.errors import FailedPrecondition
from services.points.service_layer import commands as c
from services.points.service_layer.unit_of_work import PointsUnitOfWorkFactory


def resync(cmd: c.ResyncDirectory, uows: PointsUnitOfWorkFactory, who: Principal):
    """Rebuild one county's directory from the organization's list RPCs (operators only)."""
    raise FailedPrecondition("DIRECTORY_NOT_AVAILABLE", "组织目录模块尚未接入积分服务，暂不能重建",
                             "the organization directory is not wired into the points service yet; "
                             "ResyncDirectory cannot run")
