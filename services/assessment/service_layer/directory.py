"""The assessment service's directory of the organization (docs/directory.md): rebuilding it."""

from __future__ import annotations

from services.assessment.service_layer import commands as c
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWorkFactory
from services.common.auth import Principal
from services.common.directory.resync import ResyncCounts, resync_directory
from services.common.errors import FailedPrecondition


def resync(cmd: c.ResyncDirectory, uows: AssessmentUnitOfWorkFactory, who: Principal) -> ResyncCounts:
    """Rebuild one county's directory from the organization's list RPCs (operators only, by policy)."""
    if uows.organization is None:  # an event worker's factory: it has no client to list with
        raise FailedPrecondition("NO_ORGANIZATION_CLIENT", "本进程未配置组织服务客户端，不能重建目录",
                                 "this process has no organization client to rebuild the directory with")
    return resync_directory(cmd.tenant, uows, uows.organization)
