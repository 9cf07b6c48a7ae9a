"""Onboarding a county through the RPCs, step by step, safe to run again until it completes.

Each create carries a request_id derived from the county code and the step (and for the tree,
the file's hash), so a re-run after a failure or a lost answer gets each earlier step's first
result instead of doing it twice, and carries on where it stopped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import grpc

_NAMESPACE = uuid.UUID("6b0f7a52-3c1e-4d8e-9f57-1a2b3c4d5e6f")  # partybuilding onboarding
CHUNK_BYTES = 1 << 20


def step_request_id(code: str, step: str) -> str:
    """The same id for the same county and step on every run."""
    return str(uuid.uuid5(_NAMESPACE, f"{code}/{step}"))


@dataclass
class Plan:
    code: str
    display_name: str
    city_code: str = ""
    city_display_name: str = ""
    tree: Path | None = None
    points_template: str = ""
    scheme_templates: tuple[str, ...] = ()
    # The county's notify settings and the sections to set (`pbctl notify settings apply`'s file).
    notify_settings: tuple | None = None
    effective_from: str = field(default_factory=lambda: dt.date.today().isoformat())


@dataclass(frozen=True)
class Step:
    name: str
    outcome: str  # done | already done | failed
    detail: str


class Onboarding:
    """Runs a plan against the platform's stubs; `steps` is the report, one line per step."""

    def __init__(self, channels: dict[str, grpc.Channel], metadata: list, poll_seconds: float = 0.2):
        """`channels`: one per service (organization, points, assessment, notify); they may be the same."""
        from partybuilding.assessment.v1 import assessment_service_pb2_grpc as assessment_grpc
        from partybuilding.notify.v1 import notify_service_pb2_grpc as notify_grpc
        from partybuilding.organization.v1 import organization_service_pb2_grpc as org_grpc
        from partybuilding.points.v1 import points_service_pb2_grpc as points_grpc

        self.org = org_grpc.OrganizationServiceStub(channels["organization"])
        self.points = points_grpc.PointsServiceStub(channels["points"])
        self.assessment = assessment_grpc.AssessmentServiceStub(channels["assessment"])
        self.notify = notify_grpc.NotifyServiceStub(channels["notify"])
        self.md, self.poll_seconds = metadata, poll_seconds
        self.steps: list[Step] = []

    def run(self, plan: Plan) -> bool:
        """Every step in order, stopping at the first that fails; True when all are done."""
        todo: list[tuple[str, Callable[[], tuple[str, str]]]] = [("tenant", lambda: self._tenant(plan))]
        if plan.tree is not None:
            todo.append(("tree", lambda: self._tree(plan)))
        todo.append(("directories", lambda: self._resync(plan.code)))
        if plan.points_template:
            todo.append((f"points rule set {plan.points_template}", lambda: self._rule_set(plan)))
        for template in plan.scheme_templates:
            todo.append((f"assessment scheme {template}", lambda t=template: self._scheme(plan, t)))
        if plan.notify_settings is not None:
            todo.append(("notify settings", lambda: self._notify_settings(plan)))
        for name, action in todo:
            try:
                outcome, detail = action()
            except grpc.RpcError as err:
                self.steps.append(Step(name, "failed", f"{err.code().name}: {err.details()}"))
                return False
            except StepFailed as failed:
                self.steps.append(Step(name, "failed", str(failed)))
                return False
            self.steps.append(Step(name, outcome, detail))
        return True

    def _tenant(self, plan: Plan) -> tuple[str, str]:
        from partybuilding.organization.v1 import organization_service_pb2 as pb

        parent = f"tenants/{plan.code}"
        try:
            found = self.org.GetTenant(pb.GetTenantRequest(name=parent), metadata=self.md, timeout=30)
        except grpc.RpcError as err:
            if err.code() not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED):
                raise
        else:
            return "already done", f"{found.name} {found.display_name}"
        made = self.org.CreateTenant(pb.CreateTenantRequest(
            tenant=pb.Tenant(code=plan.code, display_name=plan.display_name, city_code=plan.city_code,
                             city_display_name=plan.city_display_name),
            request_id=step_request_id(plan.code, "tenant")), metadata=self.md, timeout=30)
        return "done", f"{made.name} {made.display_name}"

    def _tree(self, plan: Plan) -> tuple[str, str]:
        from partybuilding.organization.v1 import organization_service_pb2 as pb

        data = plan.tree.read_bytes()
        sheet = pb.SheetFormat.XLSX if plan.tree.suffix.lower() == ".xlsx" else pb.SheetFormat.CSV
        request_id = step_request_id(plan.code, f"tree/{hashlib.sha256(data).hexdigest()}")

        def chunks():
            yield pb.ImportOrganizationRequest(parent=f"tenants/{plan.code}", format=sheet, request_id=request_id,
                                               chunk=data[:CHUNK_BYTES])
            for start in range(CHUNK_BYTES, len(data), CHUNK_BYTES):
                yield pb.ImportOrganizationRequest(chunk=data[start:start + CHUNK_BYTES])

        op = self.org.ImportOrganization(chunks(), metadata=self.md, timeout=600)
        while not op.done:
            time.sleep(self.poll_seconds)
            op = self.org.GetOperation(pb.GetOperationRequest(name=op.name), metadata=self.md, timeout=30)
        if op.HasField("error"):
            raise StepFailed(op.error.message)
        report = pb.ImportOrganizationResponse()
        op.response.Unpack(report)
        if report.problems_total:
            first = report.problems[0]
            raise StepFailed(f"{report.problems_total} problem(s) in {plan.tree.name}, nothing written; first: "
                             f"row {first.row} {first.column}: {first.message} (pbctl org import --dry-run lists all)")
        return "done", f"{report.units} units, {report.members} members, {report.posts} posts ({op.name})"

    def _resync(self, code: str) -> tuple[str, str]:
        from partybuilding.assessment.v1 import assessment_service_pb2 as apb
        from partybuilding.notify.v1 import notify_service_pb2 as npb
        from partybuilding.points.v1 import points_service_pb2 as ppb

        parent = f"tenants/{code}"
        counts = []
        for service, stub, module in (("points", self.points, ppb), ("assessment", self.assessment, apb),
                                      ("notify", self.notify, npb)):
            answer = stub.ResyncDirectory(module.ResyncDirectoryRequest(parent=parent), metadata=self.md, timeout=120)
            counts.append(f"{service} {answer.units} units")
        return "done", ", ".join(counts)

    def _rule_set(self, plan: Plan) -> tuple[str, str]:
        from partybuilding.points.v1 import points_service_pb2 as pb

        made = self.points.CreateRuleSet(pb.CreateRuleSetRequest(
            parent=f"tenants/{plan.code}", rule_set_id=plan.points_template, template=plan.points_template,
            request_id=step_request_id(plan.code, f"points/{plan.points_template}")), metadata=self.md, timeout=30)
        current = self.points.GetRuleSet(pb.GetRuleSetRequest(name=made.name), metadata=self.md, timeout=30)
        if current.state == pb.RuleSet.PUBLISHED:
            return "already done", f"{current.name} revision {current.revision} published"
        done = self.points.PublishRuleSet(pb.PublishRuleSetRequest(name=made.name, effective_from=plan.effective_from,
                                                                   etag=current.etag), metadata=self.md, timeout=30)
        return "done", f"{done.name} revision {done.revision} published from {plan.effective_from}"

    def _scheme(self, plan: Plan, template: str) -> tuple[str, str]:
        from partybuilding.assessment.v1 import assessment_schemes_pb2 as pb

        made = self.assessment.CreateScheme(pb.CreateSchemeRequest(
            parent=f"tenants/{plan.code}", scheme_id=template, template=template,
            request_id=step_request_id(plan.code, f"assessment/{template}")), metadata=self.md, timeout=30)
        current = self.assessment.GetScheme(pb.GetSchemeRequest(name=made.name), metadata=self.md, timeout=30)
        if current.state == pb.Scheme.PUBLISHED:
            return "already done", f"{current.name} revision {current.revision} published"
        done = self.assessment.PublishScheme(pb.PublishSchemeRequest(name=made.name, effective_from=plan.effective_from,
                                                                     etag=current.etag), metadata=self.md, timeout=30)
        return "done", f"{done.name} revision {done.revision} published from {plan.effective_from}"


    def _notify_settings(self, plan: Plan) -> tuple[str, str]:
        from partybuilding.notify.v1 import notify_settings_pb2 as pb

        settings, paths = plan.notify_settings
        wanted = pb.NotifySettings()
        wanted.CopyFrom(settings)
        # No etag: a re-run sets the same sections again, which changes nothing a county sees.
        wanted.name, wanted.etag = f"tenants/{plan.code}/notifySettings", ""
        done = self.notify.UpdateNotifySettings(pb.UpdateNotifySettingsRequest(
            settings=wanted, update_mask={"paths": paths}), metadata=self.md, timeout=30)
        return "done", f"{', '.join(paths)} set (etag {done.etag})"


class StepFailed(Exception):
    """A step the platform answered but could not complete (an import's problems)."""
