"""Every string and number field of every PointsService request, filled with what a reviewer pastes (NUL,
a bidi override, 5,000 characters, a full-width name; 0, -1, the int32 limits), on SQLite and PostgreSQL (which refuses
NUL in text): the answer is a code the caller can act on, never INTERNAL or UNKNOWN."""

from __future__ import annotations

import grpc
from google.protobuf import descriptor, message_factory
from partybuilding.points.v1 import points_exchange_pb2 as xpb
from partybuilding.points.v1 import points_service_pb2 as ppb

from tests.integration.ledger_setup import LedgerCounty, ago

BAD_TEXT = ["a\x00b", "\u202eabc", "x" * 5000, "ｍ－１", " ", "tenants/610222/../x", "%00", "'; DROP TABLE x;--"]
SERVER_FAULTS = {grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN}


T = descriptor.FieldDescriptor
INTS = {T.TYPE_INT32, T.TYPE_INT64, T.TYPE_ENUM}
BAD_INTS = [0, -1, 2**31 - 1, -(2**31)]


def _fields(message, kinds, prefix=""):
    """(path, setter) for each field of these kinds, in the message and its message fields, one level down."""
    for field in message.DESCRIPTOR.fields:
        if field.is_repeated:
            continue
        if field.type in kinds:
            yield f"{prefix}{field.name}", (lambda m, v, f=field.name: setattr(m, f, v))
        elif field.type == T.TYPE_MESSAGE and not prefix and field.message_type.full_name.startswith("partybuilding"):
            for path, setter in _fields(getattr(message, field.name), kinds, f"{field.name}."):
                yield path, (lambda m, v, f=field.name, s=setter: s(getattr(m, f), v))


def test_no_string_a_caller_sends_makes_the_points_service_fail(platform):
    _fuzz(platform, {T.TYPE_STRING}, BAD_TEXT, 500)


def test_no_number_a_caller_sends_makes_the_points_service_fail(platform):
    _fuzz(platform, INTS, BAD_INTS, 100)


def _fuzz(platform, kinds, values, at_least: int) -> None:
    c = LedgerCounty(platform)
    m = c.members[0].name
    entry = c.record(m, "LATE")
    rule_set = f"{c.parent}/ruleSets/twelve"
    store = c.points.CreateStore(xpb.CreateStoreRequest(parent=c.parent, store=xpb.Store(
        display_name="村0爱心超市", unit=c.villages[0].name)), metadata=c.admin)
    goods = c.points.CreateGoods(xpb.CreateGoodsRequest(parent=store.name, goods=xpb.Goods(
        display_name="毛巾", price_points=5, stock=3)), metadata=c.admin)
    service = ppb.DESCRIPTOR.services_by_name["PointsService"]
    bases = {  # a request each RPC would accept, so that the field under test is what it judges
        "RecordEntry": dict(parent=c.parent, member=m, rule_code="LATE", quantity=1, occurred_time=ago(hours=1)),
        "BatchRecordEntries": dict(parent=c.parent, rule_code="LATE", occurred_time=ago(hours=1)),
        "ApproveEntry": dict(name=entry.name), "RejectEntry": dict(name=entry.name),
        "ReverseEntry": dict(name=entry.name, reason="x"), "GetBalance": dict(member=m),
        "GetRuleSet": dict(name=rule_set), "UpdateRuleSet": dict(rule_set=ppb.RuleSet(name=rule_set)),
        "PublishRuleSet": dict(name=rule_set, effective_from="2026-01-01"),
        "ListRuleSetRevisions": dict(parent=rule_set), "GetRuleSetRevision": dict(name=f"{rule_set}/revisions/1"),
        "GetWallet": dict(member=m), "Redeem": dict(member=m, goods=goods.name, quantity=1),
        "CreateStore": dict(parent=c.parent, store=xpb.Store(display_name="店", unit=c.villages[0].name)),
        "CreateGoods": dict(parent=store.name, goods=xpb.Goods(display_name="米", price_points=1, stock=1)),
        "UpdateGoods": dict(goods=xpb.Goods(name=goods.name, display_name="巾")),
        "RestockGoods": dict(name=goods.name, quantity=1), "ListGoods": dict(parent=store.name),
    }
    faults, calls = [], 0
    for method in service.methods:
        stub = getattr(c.points, method.name)
        request_class = message_factory.GetMessageClass(method.input_type)
        probe = request_class()
        for path, setter in _fields(probe, kinds):
            for value in values:
                default = {"parent": c.parent} if "parent" in request_class.DESCRIPTOR.fields_by_name else {}
                request = request_class(**bases.get(method.name, default))
                setter(request, value)
                calls += 1
                try:
                    stub(request, metadata=c.admin, timeout=30)
                except grpc.RpcError as err:
                    if err.code() in SERVER_FAULTS:
                        faults.append(f"{method.name} {path}={value[:20]!r}: {err.code()} {err.details()}")
    assert faults == [] and calls > at_least, calls
    assert c.verify().ok
