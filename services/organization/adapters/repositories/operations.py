"""The operations table: one row per long-running operation, tenant-scoped."""

from __future__ import annotations

import json

from sqlalchemy import Connection, insert, select, update

from services.common.clock import utcnow
from services.organization.adapters import tables
from services.organization.domain.operations import Operation

_ops = tables.operations


class OperationRepository:
    def __init__(self, conn: Connection, tenant: str):
        self.conn, self.tenant = conn, tenant

    def add(self, op: Operation) -> None:
        self.conn.execute(insert(_ops).values(
            id=op.id, tenant=self.tenant, kind=op.kind, created_by=op.created_by, validate_only=op.validate_only,
            rows_total=op.rows_total, rows_done=op.rows_done, done=op.done, created_at=op.created_at,
            updated_at=op.created_at))

    def get(self, op_id: str) -> Operation | None:
        row = self.conn.execute(select(_ops).where(_ops.c.tenant == self.tenant, _ops.c.id == op_id)).first()
        if row is None:
            return None
        return Operation(id=row.id, tenant=row.tenant, kind=row.kind, created_by=row.created_by,
                         validate_only=row.validate_only, rows_total=row.rows_total, created_at=row.created_at,
                         done=row.done, rows_done=row.rows_done,
                         result=json.loads(row.result) if row.result else None,
                         error=json.loads(row.error) if row.error else None)

    def finish(self, op: Operation) -> None:
        self.conn.execute(update(_ops).where(_ops.c.tenant == self.tenant, _ops.c.id == op.id).values(
            done=True, rows_done=op.rows_done, updated_at=utcnow(),
            result=json.dumps(op.result, ensure_ascii=False) if op.result is not None else None,
            error=json.dumps(op.error, ensure_ascii=False) if op.error is not None else None))
