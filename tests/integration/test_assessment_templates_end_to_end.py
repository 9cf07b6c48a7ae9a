"""Each shipped scheme template, adopted and published as it ships, runs a whole round through
gRPC (issue 9, "done when"): targets frozen from the directory, every source scored in its stage
by that stage's actor (a township's clerk, the county, the city), every gate passed, results
ranked, explained and exported, and the result rules on the outbox."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from partybuilding.assessment.v1 import assessment_results_pb2 as spb
from partybuilding.assessment.v1 import assessment_rounds_pb2 as rpb
from partybuilding.assessment.v1 import assessment_schemes_pb2 as scpb
from partybuilding.assessment.v1 import assessment_service_pb2_grpc as agrpc
from partybuilding.organization.v1 import organization_service_pb2 as pb
from sqlalchemy import update

from services.assessment.adapters import tables
from services.assessment.demo_rounds import demo_value
from services.assessment.domain.scheme import Actor, StageKind
from services.assessment.domain.stages import indicators_of_source, sources_of
from services.assessment.service_layer import round_access
from tests.helpers import County
from tests.integration.round_county import known_to_assessment, outbox_types

PERIODS = {"YEAR": "2026", "HALF_YEAR": "2026H1", "QUARTER": "2026Q1", "MONTH": "2026-03"}


class TemplateCounty:
    """Two townships, a work station, three villages with their secretaries, in the directory."""

    def __init__(self, platform):
        self.p, self.county = platform, County(platform)
        self.code, self.admin = self.county.code, self.county.admin
        self.s = agrpc.AssessmentServiceStub(platform.channel)
        town, station, villages = self.county.tree(villages=2)
        town_b = self.county.unit(pb.TOWNSHIP, "太安镇")
        station_b = self.county.unit(pb.WORK_STATION, "第二工作站", town_b.name)
        villages.append(self.county.unit(pb.VILLAGE, "东村", station_b.name))
        members = [self.county.member(v.name, f"书记{i}") for i, v in enumerate(villages)]
        posts = [self.county.post(pb.SECRETARY, v.name, m.name) for v, m in zip(villages, members, strict=True)]
        known_to_assessment(platform, self.code, [town, station, town_b, station_b, *villages], members, posts)
        self.townships = {u.name.rsplit("/", 1)[-1]: u for u in (town, town_b)}

    def adopt(self, template: str) -> str:
        name = f"{self.county.parent}/schemes/{template}"
        self.s.CreateScheme(scpb.CreateSchemeRequest(parent=self.county.parent, scheme_id=template, template=template),
                            metadata=self.admin)
        self.s.PublishScheme(scpb.PublishSchemeRequest(name=name, effective_from="2026-01-01"), metadata=self.admin)
        return f"{name}/revisions/1"

    def actor(self, actor: Actor, target: rpb.RoundTarget):
        if actor is Actor.CLERK:  # the township's clerk scores the targets of its township
            return self.p.as_("clerk", [self.code], unit=target.township)
        if actor is Actor.CITY:
            return self.p.as_("city", [self.code[:4] + "00"])
        return self.admin

    def walk(self, round_: rpb.Round) -> rpb.Round:
        """Every stage in turn: its sources entered by its first actor, then the gate passed."""
        round_id = round_.name.rsplit("/", 1)[-1]
        rt = self.p.runtime("assessment")
        with rt.uow_factory(self.code, write=False) as uow:
            scheme = round_access.round_scheme(uow, round_access.load_round(uow, round_id))
        indicators = {i.code: i for d in scheme.dimensions for i in d.indicators}
        targets = list(self.s.ListRoundTargets(rpb.ListRoundTargetsRequest(parent=round_.name, page_size=100),
                                               metadata=self.admin).targets)
        while round_.state != rpb.Round.FINALIZED:
            stage = scheme.stages[round_.stage_index]
            if stage.kind is StageKind.SCORING:
                for target in targets:
                    for source in sources_of(scheme, stage):
                        values = [rpb.IndicatorValue(indicator=code, value=demo_value(indicators[code], target.name,
                                                                                       source))
                                  for code in indicators_of_source(scheme, source)]
                        self.s.SubmitScores(rpb.SubmitScoresRequest(target=target.name, source=source, values=values),
                                            metadata=self.actor(stage.actors[0], target))
            if stage.kind is StageKind.PUBLIC_NOTICE:  # the notice's calendar days have passed
                with rt.uow_factory(self.code) as uow:
                    uow.conn.execute(update(tables.rounds).where(
                        tables.rounds.c.tenant == self.code, tables.rounds.c.id == round_id).values(
                        stage_started_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=stage.days + 1)))
                    uow.commit()
            who = self.actor(Actor.CITY, targets[0]) if Actor.CITY in stage.actors else self.admin
            etag = self.s.GetRound(rpb.GetRoundRequest(name=round_.name), metadata=self.admin).etag
            round_ = self.s.AdvanceRound(rpb.AdvanceRoundRequest(name=round_.name, etag=etag), metadata=who)
        return round_


@pytest.mark.parametrize("template,targets", [("star-rating", 3), ("five-good", 3), ("six-good", 2),
                                              ("lead-goose", 3)])
def test_a_shipped_template_runs_a_round_from_creation_to_export(platform, template, targets):
    c = TemplateCounty(platform)
    revision = c.adopt(template)
    kind = c.s.GetScheme(scpb.GetSchemeRequest(name=revision.rsplit("/revisions", 1)[0]),
                         metadata=c.admin).period_kind
    period = PERIODS[scpb.PeriodKind.Name(kind)]
    round_ = c.s.CreateRound(rpb.CreateRoundRequest(parent=c.county.parent, scheme_revision=revision, period=period),
                             metadata=c.admin)
    assert round_.target_count == targets  # villages, townships or the villages' secretaries

    round_ = c.walk(round_)
    assert round_.state == rpb.Round.FINALIZED

    results = list(c.s.ListResults(spb.ListResultsRequest(parent=round_.name, page_size=100),
                                   metadata=c.admin).results)
    assert len(results) == targets
    assert [r.rank_in_scope for r in results] == sorted(r.rank_in_scope for r in results)
    assert results[0].rank_in_scope == 1 and all(r.grade for r in results)
    explained = c.s.GetResult(spb.GetResultRequest(name=results[0].name), metadata=c.admin)
    assert explained.dimensions and explained.total == results[0].total

    export = c.s.ExportResults(spb.ExportResultsRequest(parent=round_.name), metadata=c.admin)
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    cells = [str(cell.value) for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert any("排名" in text for text in cells) and not any(text.startswith("=") for text in cells)

    assert "assessment.results_finalized" in outbox_types(platform, c.code)
