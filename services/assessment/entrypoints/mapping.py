"""Proto <-> domain for schemes: the only place that knows both.

Doubles cross through amounts.bounded (rounded half-up to 0.01; a value beyond every bound
arrives as infinity, for the check to name the bound it passes); enum number 0 is "unset"
(None), for the checks to name. Rounds, results and cases map their own messages in their own
mapping modules.
"""

from __future__ import annotations

from decimal import Decimal

from partybuilding.assessment.v1 import assessment_schemes_pb2 as pb

from services.assessment.domain import scheme as s
from services.assessment.domain.amounts import bounded
from services.assessment.domain.names import revision_name, scheme_name
from services.assessment.service_layer.schemes import SchemeView
from services.common.clock import iso_date
from services.common.grpc.messages import ts
from services.common.tenancy import etag_of


def _enum(domain_enum, proto_enum, number: int):
    # The interceptor refuses numbers the proto does not define (bounds.py), so a name is there.
    return domain_enum[proto_enum.Name(number)] if number else None


def _number(proto_enum, value) -> int:
    return proto_enum.Value(value.name) if value is not None else 0


def _optional(message, field: str) -> Decimal | None:
    return bounded(getattr(message, field)) if message.HasField(field) else None


# ---------------------------------------------------------------- from proto

def indicator_from_proto(m: pb.Indicator) -> s.Indicator:
    return s.Indicator(
        m.code, m.name_zh, m.name_en, bounded(m.max_score), _enum(s.Method, pb.Indicator.Method, m.method),
        m.description, _optional(m, "low"), _optional(m, "high"),
        tuple(s.Tier(bounded(t.at_least), bounded(t.score), t.label_zh) for t in m.tiers),
        _optional(m, "points_each"), _optional(m, "cap"), tuple(m.sources))


def dimensions_from_proto(items) -> tuple[s.Dimension, ...]:
    return tuple(s.Dimension(d.code, d.name_zh, d.name_en, bounded(d.weight),
                             tuple(indicator_from_proto(i) for i in d.indicators)) for d in items)


def sources_from_proto(items) -> tuple[s.Source, ...]:
    return tuple(s.Source(x.code, x.name_zh, x.name_en, bounded(x.weight)) for x in items)


def negative_items_from_proto(items) -> tuple[s.NegativeItem, ...]:
    return tuple(s.NegativeItem(n.code, n.name_zh, n.name_en, _enum(s.Effect, pb.NegativeItem.Effect, n.effect),
                                _optional(n, "points"), n.cap_grade or None) for n in items)


def grades_from_proto(items) -> tuple[s.GradeBand, ...]:
    return tuple(s.GradeBand(g.code, g.name_zh, g.name_en, bounded(g.min_score), g.stars) for g in items)


def stages_from_proto(items) -> tuple[s.Stage, ...]:
    return tuple(s.Stage(x.code, x.name_zh, x.name_en, _enum(s.StageKind, pb.Stage.Kind, x.kind),
                         tuple(_enum(s.Actor, pb.Stage.Actor, a) for a in x.actors), tuple(x.sources), x.days)
                 for x in items)


def result_rules_from_proto(m: pb.ResultRules) -> s.ResultRules:
    defaults = s.ResultRules()
    title = (s.Title(m.title.code, m.title.name_zh, m.title.name_en, tuple(m.title.grades))
             if m.HasField("title") else None)
    return s.ResultRules(
        tuple(m.commend_grades),
        m.remind_last_place if m.HasField("remind_last_place") else defaults.remind_last_place,
        m.talk_after_last_places if m.HasField("talk_after_last_places") else defaults.talk_after_last_places,
        m.weak_at_or_below or None, title, m.sets_star_level)


def target_kind_from_proto(number: int):
    return _enum(s.TargetKind, pb.TargetKind, number)


def period_kind_from_proto(number: int):
    return _enum(s.PeriodKind, pb.PeriodKind, number)


# UpdateScheme: each mask path's value as the domain's.
CHANGES = {
    "target_kind": target_kind_from_proto, "period_kind": period_kind_from_proto,
    "dimensions": dimensions_from_proto, "sources": sources_from_proto,
    "negative_items": negative_items_from_proto, "grades": grades_from_proto, "stages": stages_from_proto,
    "result_rules": result_rules_from_proto,
}


def scheme_from_proto(m: pb.Scheme) -> s.Scheme:
    """What a request states (tenant, id, revision, state and template are the server's)."""
    return s.Scheme(
        "", "", 0, None, m.display_name, m.description, target_kind_from_proto(m.target_kind),
        period_kind_from_proto(m.period_kind), dimensions_from_proto(m.dimensions), sources_from_proto(m.sources),
        negative_items_from_proto(m.negative_items), grades_from_proto(m.grades), stages_from_proto(m.stages),
        result_rules_from_proto(m.result_rules) if m.HasField("result_rules") else s.ResultRules())


# ---------------------------------------------------------------- to proto

def _indicator(i: s.Indicator) -> pb.Indicator:
    message = pb.Indicator(code=i.code, name_zh=i.name_zh, name_en=i.name_en, max_score=float(i.max_score),
                           method=_number(pb.Indicator.Method, i.method), description=i.description,
                           tiers=[pb.Tier(at_least=float(t.at_least), score=float(t.score), label_zh=t.label_zh)
                                  for t in i.tiers], sources=i.sources)
    for field in ("low", "high", "points_each", "cap"):
        if getattr(i, field) is not None:
            setattr(message, field, float(getattr(i, field)))
    return message


def _result_rules(r: s.ResultRules) -> pb.ResultRules:
    title = (pb.Title(code=r.title.code, name_zh=r.title.name_zh, name_en=r.title.name_en, grades=r.title.grades)
             if r.title is not None else None)
    return pb.ResultRules(commend_grades=r.commend_grades, remind_last_place=r.remind_last_place,
                          talk_after_last_places=r.talk_after_last_places, weak_at_or_below=r.weak_at_or_below or "",
                          title=title, sets_star_level=r.sets_star_level)


def scheme_message(scheme: s.Scheme) -> pb.Scheme:
    """What a scheme states, as a message (no name, revision or facts)."""
    return pb.Scheme(
        display_name=scheme.display_name, description=scheme.description, template=scheme.template,
        target_kind=_number(pb.TargetKind, scheme.target_kind), period_kind=_number(pb.PeriodKind, scheme.period_kind),
        dimensions=[pb.Dimension(code=d.code, name_zh=d.name_zh, name_en=d.name_en, weight=float(d.weight),
                                 indicators=[_indicator(i) for i in d.indicators]) for d in scheme.dimensions],
        sources=[pb.Source(code=x.code, name_zh=x.name_zh, name_en=x.name_en, weight=float(x.weight))
                 for x in scheme.sources],
        negative_items=[pb.NegativeItem(code=n.code, name_zh=n.name_zh, name_en=n.name_en,
                                        effect=_number(pb.NegativeItem.Effect, n.effect),
                                        points=float(n.points) if n.points is not None else None,
                                        cap_grade=n.cap_grade or "") for n in scheme.negative_items],
        grades=[pb.GradeBand(code=g.code, name_zh=g.name_zh, name_en=g.name_en, min_score=float(g.min_score),
                             stars=g.stars) for g in scheme.grades],
        stages=[pb.Stage(code=x.code, name_zh=x.name_zh, name_en=x.name_en, kind=_number(pb.Stage.Kind, x.kind),
                         actors=[_number(pb.Stage.Actor, a) for a in x.actors], sources=x.sources, days=x.days)
                for x in scheme.stages],
        result_rules=_result_rules(scheme.result_rules))


def scheme_to_proto(view: SchemeView) -> pb.Scheme:
    """The scheme as `view.revision` states it; the etag is the scheme's (it guards the latest revision)."""
    scheme, facts, record = view.revision.scheme, view.revision.facts, view.record
    message = scheme_message(scheme)
    message.MergeFrom(pb.Scheme(
        name=scheme_name(record.tenant, record.id), revision=scheme.revision,
        state=pb.Scheme.State.Value(scheme.state.value), template=record.template,
        effective_from=iso_date(facts.effective_from), publish_time=ts(facts.published_at),
        published_by=facts.published_by, create_time=ts(facts.created_at), update_time=ts(facts.updated_at),
        etag=etag_of(record.version), revision_name=revision_name(record.tenant, record.id, scheme.revision)))
    return message


def template_to_proto(template: s.Scheme) -> pb.Scheme:
    return scheme_message(template)
