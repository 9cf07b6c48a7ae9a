"""A small sound scheme as a message, and one county's schemes through the assessment stub."""

from __future__ import annotations

from google.protobuf.field_mask_pb2 import FieldMask
from partybuilding.assessment.v1 import assessment_schemes_pb2 as spb

from tests.helpers import County


def an_indicator(code: str = "MEETINGS", **fields) -> spb.Indicator:
    values = dict(code=code, name_zh="三会一课", name_en="Meetings", max_score=10, method=spb.Indicator.MANUAL)
    return spb.Indicator(**{**values, **fields})


def a_scheme(**fields) -> spb.Scheme:
    """Two dimensions (60/40), two sources (70/30), three grades, scoring then a notice of 7 days."""
    values = dict(
        display_name="村党组织年度考核", target_kind=spb.VILLAGE_ORG, period_kind=spb.YEAR,
        dimensions=[spb.Dimension(code="ORGANIZATION", name_zh="组织建设", weight=60, indicators=[an_indicator()]),
                    spb.Dimension(code="SERVICE", name_zh="服务群众", weight=40, indicators=[
                        an_indicator("SERVICE_1", name_zh="为民办实事", method=spb.Indicator.COUNT, points_each=2,
                                     cap=8)])],
        sources=[spb.Source(code="ORGANIZATION", name_zh="组织考核", weight=70),
                 spb.Source(code="MASS", name_zh="群众评议", weight=30)],
        negative_items=[spb.NegativeItem(code="CORRUPTION", name_zh="违纪违法", effect=spb.NegativeItem.VETO),
                        spb.NegativeItem(code="LATE_REPORT", name_zh="迟报", effect=spb.NegativeItem.DEDUCT,
                                         points=2)],
        grades=[spb.GradeBand(code="EXCELLENT", name_zh="优秀", min_score=90),
                spb.GradeBand(code="PASS", name_zh="合格", min_score=60),
                spb.GradeBand(code="FAIL", name_zh="不合格", min_score=0)],
        stages=[spb.Stage(code="TOWNSHIP", name_zh="乡镇考核", kind=spb.Stage.SCORING, actors=[spb.Stage.CLERK],
                          sources=["ORGANIZATION", "MASS"]),
                spb.Stage(code="NOTICE", name_zh="公示", kind=spb.Stage.PUBLIC_NOTICE, actors=[spb.Stage.COUNTY],
                          days=7)],
        result_rules=spb.ResultRules(commend_grades=["EXCELLENT"], weak_at_or_below="FAIL"))
    return spb.Scheme(**{**values, **fields})


class Schemes:
    """One fresh county's schemes through the assessment stub, as its admin."""

    def __init__(self, platform):
        self.county = County(platform)
        self.p, self.s, self.md = platform, platform.assessment, self.county.admin
        self.parent = self.county.parent

    def create(self, scheme_id: str = "", md=None, **fields) -> spb.Scheme:
        fields.setdefault("scheme", a_scheme())
        return self.s.CreateScheme(spb.CreateSchemeRequest(parent=self.parent, scheme_id=scheme_id, **fields),
                                   metadata=md or self.md)

    def get(self, name: str, md=None) -> spb.Scheme:
        return self.s.GetScheme(spb.GetSchemeRequest(name=name), metadata=md or self.md)

    def update(self, scheme: spb.Scheme, paths: list[str], etag: str, md=None, **fields) -> spb.Scheme:
        return self.s.UpdateScheme(spb.UpdateSchemeRequest(scheme=scheme, update_mask=FieldMask(paths=paths),
                                                           etag=etag, **fields), metadata=md or self.md)

    def publish(self, scheme: spb.Scheme, effective_from: str = "", md=None) -> spb.Scheme:
        return self.s.PublishScheme(spb.PublishSchemeRequest(name=scheme.name, effective_from=effective_from,
                                                             etag=scheme.etag), metadata=md or self.md)
