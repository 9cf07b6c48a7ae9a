"""Use cases of long-running operations (AIP-151): start a county import, run it, read how it went.

A finished operation is a row of its own, so its result outlives the process that ran it; the
result of an import that wrote rows commits in the same transaction as the rows.
"""

from __future__ import annotations

import dataclasses

from services.common.auth import Principal
from services.common.clock import utcnow
from services.common.errors import PlatformError, not_found
from services.common.ids import new_id
from services.organization.domain.events import ImportCommitted
from services.organization.domain.names import operation_name
from services.organization.domain.operations import Operation
from services.organization.domain.sheet import Row, check_header
from services.organization.service_layer import commands as c
from services.organization.service_layer.bulk_import import ImportReport, import_rows
from services.organization.service_layer.import_plan import Progress
from services.organization.service_layer.loaders import load_tenant
from services.organization.service_layer.unit_of_work import OrgUnitOfWork, OrgUnitOfWorkFactory

IMPORT = "import"
# The report travels in one gRPC message, which a client receives up to 4 MiB: a 2 MiB sheet of
# bad rows can have 60,000 problems. The first ones (by row) are kept, with the total.
MAX_REPORTED_PROBLEMS = 1000


def _load(uow: OrgUnitOfWork, op_id: str) -> Operation:
    op = uow.operations.get(op_id)
    if op is None:
        raise not_found("操作", "operation", operation_name(uow.tenant, op_id))
    return op


def start_import(cmd: c.StartImport, uows: OrgUnitOfWorkFactory, who: Principal) -> tuple[Operation, bool]:
    """The operation that will run the import, and whether it is new (False: a retry of `request_id`)."""
    with uows(cmd.tenant) as uow:
        load_tenant(uow, cmd.tenant)
        claim = uow.idempotency.claim("ImportOrganization", cmd)
        if claim.done:
            return _load(uow, claim.done), False
        op = Operation(id=new_id("op"), tenant=cmd.tenant, kind=IMPORT, created_by=who.subject,
                       validate_only=cmd.validate_only, rows_total=cmd.rows_total, created_at=utcnow())
        uow.operations.add(op)
        claim.remember(operation_name(cmd.tenant, op.id))
        uow.commit()
        return op, True


def _report(report: ImportReport) -> dict:
    return {"units": report.units, "members": report.members, "posts": report.posts,
            "settings_changed": report.settings_changed, "written": report.written,
            "problems": [dataclasses.asdict(p) for p in report.sorted_problems()[:MAX_REPORTED_PROBLEMS]],
            "problems_total": len(report.problems)}


def _finish(uow: OrgUnitOfWork, op: Operation) -> None:
    op.done, op.rows_done = True, op.rows_total
    uow.operations.finish(op)


def run_import(op: Operation, header: list[str], rows: list[Row], uow_factory: OrgUnitOfWorkFactory,
               progress: Progress) -> Operation:
    """Check every row and, unless the operation only validates, write them all; the operation ends
    with the row report, or with the error that stopped it (nothing written then)."""
    uow = uow_factory(op.tenant)

    def record(report: ImportReport) -> None:
        op.result = _report(report)
        _finish(uow, op)
        uow.emit(ImportCommitted(op.tenant, operation_name(op.tenant, op.id), op.created_by, report.units,
                                 report.members, report.posts, report.settings_changed))

    try:
        report = import_rows(rows, uow, actor=op.created_by, dry_run=op.validate_only,
                             header_problems=check_header(header), progress=progress, before_commit=record,
                             source=operation_name(op.tenant, op.id))
    except PlatformError as error:
        return fail_operation(op, error, uow_factory)
    if not report.written:
        op.result = _report(report)
        with uow_factory(op.tenant) as done:
            _finish(done, op)
            done.commit()
    return op


def fail_operation(op: Operation, error: PlatformError, uow_factory: OrgUnitOfWorkFactory) -> Operation:
    op.result, op.error = None, {"code": error.code, "reason": error.reason, "zh": error.zh, "en": error.en}
    with uow_factory(op.tenant) as uow:
        _finish(uow, op)
        uow.commit()
    return op


def get_operation(cmd: c.GetOperation, uows: OrgUnitOfWorkFactory, who: Principal) -> Operation:
    with uows(cmd.tenant, write=False) as uow:
        return _load(uow, cmd.operation_id)
