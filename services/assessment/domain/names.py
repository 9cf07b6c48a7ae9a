"""The assessment service's resource collections; names are formatted and parsed by the kernel (tenancy)."""

from __future__ import annotations

from services.common.tenancy import Collection, SubCollection

SCHEMES = Collection("schemes")
REVISIONS = SubCollection(SCHEMES, "revisions")  # tenants/{code}/schemes/{id}/revisions/{n}
ROUNDS = Collection("rounds")
TARGETS = SubCollection(ROUNDS, "targets")  # tenants/{code}/rounds/{id}/targets/{target_id}
OBJECTIONS = SubCollection(ROUNDS, "objections")
RESULTS = SubCollection(ROUNDS, "results")  # tenants/{code}/rounds/{id}/results/{target_id}
CASES = Collection("cases")
PROBLEMS = SubCollection(CASES, "problems")  # tenants/{code}/cases/{id}/problems/{n}
UNITS = Collection("units")  # the organization's unit, by the same name
MEMBERS = Collection("members")  # the organization's member, by the same name

scheme_name = SCHEMES.name
revision_name = REVISIONS.name
round_name = ROUNDS.name
target_name = TARGETS.name
objection_name = OBJECTIONS.name
result_name = RESULTS.name
case_name = CASES.name
problem_name = PROBLEMS.name
unit_name = UNITS.name
member_name = MEMBERS.name
