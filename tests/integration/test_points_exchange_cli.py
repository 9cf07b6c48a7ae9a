"""The exchange from a shell (pbctl points ...) and in the demo county."""

from __future__ import annotations

import pytest
from partybuilding.points.v1 import points_exchange_pb2 as xpb
from partybuilding.points.v1 import points_service_pb2_grpc as points_grpc

from tests.conftest import token
from tests.helpers import County
from tests.integration.exchange_shop import Shop, credit, known_to_points


@pytest.fixture
def shop(platform):
    return Shop(platform)


def test_pbctl_runs_the_counter(platform, shop, monkeypatch):
    from click.testing import CliRunner

    from services.pbctl.main import cli

    credit(platform, shop.code, shop.member, 40)
    monkeypatch.setenv("TOKEN", token("county_admin", [shop.code]))
    target = ["--target", f"127.0.0.1:{platform.port}"]
    runner = CliRunner()

    def run(*args) -> str:
        result = runner.invoke(cli, ["points", *args, *target])
        assert result.exit_code == 0, result.output
        return result.output

    assert "东村爱心超市" in run("stores", "--tenant", shop.code)
    rice = run("create-goods", "--store", shop.store.name, "--name", "大米", "--price", "15", "--stock", "2")
    rice_name = rice.split("\t")[-1].strip()
    assert "大米" in run("goods", "--store", shop.store.name) and "食用油" in run("goods", "--store", shop.store.name)
    assert "\t12\t" in run("restock", rice_name, "--quantity", "10")
    made = run("redeem", "--member", shop.member, "--goods", rice_name, "--quantity", "2", "--request-id", "cli-1")
    assert "-30" in made
    assert made.split("\t")[0] == run("redeem", "--member", shop.member, "--goods", rice_name, "--quantity", "2",
                                      "--request-id", "cli-1").split("\t")[0]
    assert "可兑换 spendable 10" in run("wallet", shop.member)
    assert "大米" in run("redemptions", "--tenant", shop.code, "--member", shop.member)
    short = runner.invoke(cli, ["points", "redeem", "--member", shop.member, "--goods", rice_name, *target])
    assert short.exit_code == 1 and "FAILED_PRECONDITION" in short.output and "还差5分" in short.output
    bad = runner.invoke(cli, ["points", "redeem", "--member", shop.member, "--goods", rice_name, "--quantity", "0",
                              *target])
    assert bad.exit_code == 2 and "quantity" in bad.output
    assert "CANCELLED" in run("cancel-redemption", made.split("\t")[0], "--reason", "退货")
    assert "可兑换 spendable 40" in run("wallet", shop.member)


def test_demo_store_opens_once_its_village_is_known(platform):
    from services.points.demo import DEMO_GOODS, load_exchange_demo

    county = County(platform)
    uows = platform.runtime("points").uow_factory
    town, station, (village,) = county.tree(villages=1)
    assert load_exchange_demo(uows, county.code) is False  # the directory knows no village yet
    known_to_points(platform, county.code, [town, station, village], [])
    assert load_exchange_demo(uows, county.code) is True
    assert load_exchange_demo(uows, county.code) is False
    stub = points_grpc.PointsServiceStub(platform.channel)
    (store,) = stub.ListStores(xpb.ListStoresRequest(parent=county.parent), metadata=county.admin).stores
    assert store.unit == village.name and store.display_name == f"{village.display_name}爱心超市"
    goods = stub.ListGoods(xpb.ListGoodsRequest(parent=store.name), metadata=county.admin).goods
    assert sorted((g.display_name, g.price_points, g.stock) for g in goods) == sorted(DEMO_GOODS)
