"""Shared loads and checks of the rounds' use cases: the round (locked for writers), its frozen
scheme, a target, the caller as a stage actor, a clerk's subtree."""

from __future__ import annotations

from services.assessment.domain.names import round_name, target_name
from services.assessment.domain.rounds import Round, RoundTarget
from services.assessment.domain.scheme import Actor, Scheme
from services.assessment.service_layer import scope
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWork
from services.common import clerks, identifiers
from services.common.auth import Principal, Role
from services.common.errors import PermissionDenied, not_found

_ACTORS = {Role.CLERK: Actor.CLERK, Role.COUNTY_ADMIN: Actor.COUNTY, Role.OPERATOR: Actor.COUNTY,
           Role.CITY: Actor.CITY}


def actor_of(who: Principal) -> Actor:
    """The stage actor a caller acts as (the policy admits no other role to the rounds' writes)."""
    actor = _ACTORS.get(who.role)
    if actor is None:
        raise PermissionDenied("NOT_A_STAGE_ACTOR", f"角色 {who.role.value} 不参与考核流程",
                               f"role {who.role.value} takes no part in a round's stages")
    return actor


def load_round(uow: AssessmentUnitOfWork, round_id: str, *, lock: bool = False) -> Round:
    """The round (NOT_FOUND otherwise); its id spelt as identifiers are (full-width digits typed)."""
    round_id = identifiers.require(round_id, "name")
    found = uow.rounds.get(round_id, lock=lock)
    if found is None:
        raise not_found("考核轮次", "round", round_name(uow.tenant, round_id))
    return found


def round_scheme(uow: AssessmentUnitOfWork, round_: Round) -> Scheme:
    """The scheme revision the round froze, loaded once per transaction."""
    key = ("round_scheme", round_.scheme_id, round_.scheme_revision)
    if key not in uow.loaded:
        record = uow.schemes.get(round_.scheme_id)
        stored = uow.schemes.revision(round_.scheme_id, round_.scheme_revision, record.template if record else "")
        uow.loaded[key] = stored.scheme
    return uow.loaded[key]


def subtree_path(uow: AssessmentUnitOfWork, who: Principal) -> str:
    """The path prefix a caller's reads and writes are confined to: "/" unless a clerk."""
    root = scope.clerk_root(uow, who)
    return "/" if root is None else root.path


def load_target(uow: AssessmentUnitOfWork, who: Principal, round_: Round, target_id: str) -> RoundTarget:
    """A target of the round (NOT_FOUND otherwise) inside the caller's subtree (PERMISSION_DENIED)."""
    target = uow.rounds.target(round_.id, target_id)
    if target is None:
        raise not_found("考核对象", "round target", target_name(uow.tenant, round_.id, target_id))
    if not target.unit_path.startswith(subtree_path(uow, who)):
        raise clerks.outside_subtree(target_name(uow.tenant, round_.id, target_id), target.display_name)
    return target
