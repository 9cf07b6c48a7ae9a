"""County imports run beside the gRPC threads, one operation each; live progress kept in memory.

While an import's transaction is open, its progress cannot be written to the database (SQLite
holds the write lock for the whole transaction), so rows done are counted here and answered by
GetOperation on this process; the start and the end of every operation are stored.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from services.common.errors import PlatformError
from services.organization.domain.operations import Operation
from services.organization.domain.sheet import Row
from services.organization.service_layer.operations import fail_operation, run_import
from services.organization.service_layer.unit_of_work import OrgUnitOfWorkFactory

log = logging.getLogger("partybuilding.organization.imports")
# Imports are rare and heavy: two at a time keep a small server responsive.
WORKERS = 2


class ImportJobs:
    def __init__(self, uow_factory: OrgUnitOfWorkFactory, workers: int = WORKERS):
        self.uow_factory = uow_factory
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="org-import")
        self.live: dict[str, int] = {}

    def submit(self, op: Operation, header: list[str], rows: list[Row]) -> Future:
        self.live[op.id] = 0
        return self.pool.submit(self._run, op, header, rows)

    def rows_done(self, op: Operation) -> int:
        return op.rows_total if op.done else self.live.get(op.id, op.rows_done)

    def _run(self, op: Operation, header: list[str], rows: list[Row]) -> None:
        def progress(done: int) -> None:
            self.live[op.id] = done

        try:
            run_import(op, header, rows, self.uow_factory, progress)
        except Exception:
            log.exception("import failed", extra={"fields": {"operation": op.id, "tenant": op.tenant}})
            fail_operation(op, PlatformError("INTERNAL", f"导入时发生内部错误，未写入任何数据（日志编号 {op.id}）",
                                             f"internal error during the import, nothing was written (logged as {op.id})"),
                           self.uow_factory)
        finally:
            self.live.pop(op.id, None)
