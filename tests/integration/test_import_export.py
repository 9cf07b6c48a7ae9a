"""Bulk import and export of a county, on SQLite and PostgreSQL, and the pbctl org commands."""

from __future__ import annotations

import json
import stat

from click.testing import CliRunner
from partybuilding.organization.v1 import organization_service_pb2 as pb
from sqlalchemy import func, select

from services.organization.adapters import tables as t
from services.organization.adapters.spreadsheet import read_sheet, write_sheet
from services.organization.demo import CountyShape, county_rows, load_demo_county
from services.organization.domain.sheet import rows_from_dicts
from services.organization.service_layer.bulk_import import export_rows, import_rows
from services.pbctl.main import cli
from tests.conftest import fresh_county_code, token
from tests.helpers import as_if_moved_away, comparable_rows, id_card, recoded

SMALL = CountyShape(("彭镇", "尧生镇"), stations=3, villages=10, members_per_village=(4, 6), groups_per_village=1)


def _counts(platform, tenant: str) -> tuple[int, int, int, int]:
    with platform.org_uow(tenant, write=False) as uow:
        return tuple(uow.conn.execute(select(func.count()).select_from(table).where(table.c.tenant == tenant)).scalar_one()
                     for table in (t.units, t.members, t.posts, t.outbox))


def test_round_trip_through_a_file_gives_the_same_tree(platform, tmp_path):
    a, b = platform.new_county(), platform.new_county()
    report = import_rows(rows_from_dicts(county_rows(a, SMALL, seed=1)), platform.org_uow(a))
    assert report.ok and report.written, report.lines()
    exported_a = export_rows(platform.org_uow(a, write=False))
    write_sheet(tmp_path / "a.xlsx", exported_a)
    header, rows = read_sheet(tmp_path / "a.xlsx")
    as_if_moved_away(platform, a)
    report_b = import_rows(rows_from_dicts(recoded([r.cells for r in rows], a, b)), platform.org_uow(b))
    assert report_b.ok, report_b.lines()
    assert (report_b.units, report_b.members, report_b.posts) == (report.units, report.members, report.posts)
    assert comparable_rows(export_rows(platform.org_uow(b, write=False))) == comparable_rows(exported_a)
    # The imported tree is served like any other.
    towns = platform.stub.ListUnits(pb.ListUnitsRequest(parent=f"tenants/{b}", types=[pb.TOWNSHIP]),
                                    metadata=platform.operator()).units
    assert sorted(u.display_name for u in towns) == ["尧生镇", "彭镇"]


def test_import_emits_the_snapshots_of_what_it_wrote(platform):
    code = platform.new_county()
    before = _counts(platform, code)
    report = import_rows(rows_from_dicts(county_rows(code, SMALL)), platform.org_uow(code))
    units, members, posts, events = _counts(platform, code)
    assert (units, members, posts) == (report.units, report.members, report.posts)
    # Not one created event per row: the rows' snapshots, 500 to an event (docs/directory.md).
    assert events - before[3] == -(-(units + members + posts) // 500)
    with platform.org_uow(code, write=False) as uow:
        payloads = [json.loads(p) for p in uow.conn.execute(select(t.outbox.c.payload).where(
            t.outbox.c.tenant == code, t.outbox.c.type == "organization.resources_changed")).scalars()]
    assert sum(len(p.get(kind, [])) for p in payloads for kind in ("units", "members", "posts")) == units + members + posts


def test_bad_rows_are_all_reported_and_nothing_is_written(platform):
    code = platform.new_county()
    rows = county_rows(code, SMALL)
    members = [i for i, r in enumerate(rows) if r["record"] == "member"]
    rows[members[0]]["id_card_number"] = "610222198001011230"                   # wrong check digit
    rows[members[1]]["phone"] = "1234"
    rows[members[2]]["id_card_number"] = rows[members[3]]["id_card_number"]     # duplicate
    stations = [i for i, r in enumerate(rows) if r["type"] == "WORK_STATION"]
    rows[stations[0]]["parent_ref"] = ""                                         # a station at the county root
    bad_rows = {members[0] + 2, members[1] + 2, max(members[2], members[3]) + 2, stations[0] + 2}
    before = _counts(platform, code)
    report = import_rows(rows_from_dicts(rows), platform.org_uow(code))
    assert not report.ok and not report.written
    assert bad_rows <= {p.row for p in report.problems}, report.lines()
    assert _counts(platform, code) == before, "all or nothing: not one row or event written"


def test_station_maximum_from_the_tenant_settings_is_enforced(platform):
    code = platform.new_county(work_station_min_villages=1, work_station_max_villages=2)
    rows = [{"record": "unit", "ref": "T", "parent_ref": "", "type": "TOWNSHIP", "display_name": "彭镇"},
            {"record": "unit", "ref": "S", "parent_ref": "T", "type": "WORK_STATION", "display_name": "一站"}]
    rows += [{"record": "unit", "ref": f"V{i}", "parent_ref": "S", "type": "VILLAGE", "display_name": f"村{i}"}
             for i in range(3)]
    report = import_rows(rows_from_dicts(rows), platform.org_uow(code))
    assert [(p.row, p.reason) for p in report.problems] == [(6, "WORK_STATION_FULL")]
    assert _counts(platform, code)[0] == 0
    # Under the maximum it goes in; a second file adding to the station counts what is there.
    report = import_rows(rows_from_dicts(rows[:4]), platform.org_uow(code))
    assert report.ok
    station = next(u for u in export_rows(platform.org_uow(code, write=False)) if u["type"] == "WORK_STATION")
    more = [{"record": "unit", "ref": "V9", "parent_ref": station["ref"], "type": "VILLAGE", "display_name": "村9"}]
    assert [p.reason for p in import_rows(rows_from_dicts(more), platform.org_uow(code)).problems] == ["WORK_STATION_FULL"]


def test_an_existing_id_number_is_refused(platform):
    code = platform.new_county()
    admin = platform.as_("county_admin", [code])
    town = platform.stub.CreateUnit(pb.CreateUnitRequest(parent=f"tenants/{code}", unit=pb.Unit(
        type=pb.TOWNSHIP, display_name="彭镇")), metadata=admin)
    number = id_card()
    platform.stub.CreateMember(pb.CreateMemberRequest(parent=f"tenants/{code}", member=pb.Member(
        display_name="张三", unit=town.name, id_card_number=number)), metadata=admin)
    rows = [{"record": "member", "parent_ref": town.name.rsplit("/", 1)[-1], "display_name": "张三",
             "id_card_number": number}]
    report = import_rows(rows_from_dicts(rows), platform.org_uow(code))
    assert [(p.row, p.reason) for p in report.problems] == [(2, "MEMBER_EXISTS")]


def test_the_demo_county_loads_once_and_validates(platform):
    code = fresh_county_code()
    assert load_demo_county(platform.org_uow, code=code) is True
    assert load_demo_county(platform.org_uow, code=code) is False, "a second start leaves it alone"
    md = platform.operator()
    resp = platform.stub.ValidateTenant(pb.ValidateTenantRequest(name=f"tenants/{code}"), metadata=md)
    assert resp.ok and not [f for f in resp.findings if f.severity == pb.Finding.ERROR]
    units = platform.stub.ListUnits(pb.ListUnitsRequest(parent=f"tenants/{code}", page_size=1000), metadata=md).units
    by_type = {}
    for u in units:
        by_type[u.type] = by_type.get(u.type, 0) + 1
    assert by_type[pb.TOWNSHIP] == 8 and by_type[pb.WORK_STATION] == 29
    assert by_type.get(pb.VILLAGE, 0) + by_type.get(pb.COMMUNITY, 0) == 117
    rows = export_rows(platform.org_uow(code, write=False))
    posts = [e.split("|")[0] for r in rows for e in r["posts"].split(";") if e]
    assert posts.count("SECRETARY") == 117 and posts.count("STATION_CHIEF") == 29
    assert any("SECRETARY" in r["posts"] and "VILLAGE_DIRECTOR" in r["posts"] for r in rows), "一肩挑"
    assert "FIRST_SECRETARY" in posts and "RESERVE_CADRE" in posts


def test_pbctl_import_export_and_validate_are_clients_of_the_server(platform, tmp_path, monkeypatch):
    # No database settings on the client: only a county admin's token and the server's address.
    monkeypatch.delenv("PB_DATABASE_URL", raising=False)
    monkeypatch.setenv("PB_VAR_DIR", str(tmp_path / "no-database-here"))
    code = platform.new_county()
    monkeypatch.setenv("TOKEN", token("county_admin", [code]))
    target = ["--target", f"127.0.0.1:{platform.port}"]
    rows = county_rows(code, SMALL)
    write_sheet(tmp_path / "good.csv", rows)
    bad = [dict(r) for r in rows]
    bad[-1]["phone"] = "999"
    write_sheet(tmp_path / "bad.csv", bad)
    runner = CliRunner()

    result = runner.invoke(cli, ["org", "import", str(tmp_path / "bad.csv"), "--tenant", code, *target])
    assert result.exit_code == 1, result.output
    assert f"row {len(bad) + 1}: phone" in result.output
    result = runner.invoke(cli, ["org", "import", str(tmp_path / "good.csv"), "--tenant", code, "--dry-run", *target])
    assert result.exit_code == 0 and "checked, not written" in result.output, result.output
    result = runner.invoke(cli, ["org", "import", str(tmp_path / "good.csv"), "--tenant", code, *target])
    assert result.exit_code == 0 and "imported" in result.output, result.output
    (tmp_path / "empty.csv").write_bytes(b"")
    result = runner.invoke(cli, ["org", "import", str(tmp_path / "empty.csv"), "--tenant", code, *target])
    assert result.exit_code == 2 and "no header row" in result.output, result.output
    result = runner.invoke(cli, ["org", "export", "--tenant", code, "--out", str(tmp_path / "none" / "x.csv"), *target])
    assert result.exit_code == 2 and "does not exist" in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit), "a message, not a traceback"
    result = runner.invoke(cli, ["org", "export", "--tenant", code, "--out", str(tmp_path / "out.xlsx"), *target])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE((tmp_path / "out.xlsx").stat().st_mode) == 0o600, "ID numbers in clear: owner only"
    _, exported = read_sheet(tmp_path / "out.xlsx")
    assert len([r for r in exported if r.get("record") != "setting"]) == len(rows)
    result = runner.invoke(cli, ["org", "validate", "--tenant", code, *target])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "no-database-here").exists(), "pbctl opened no database of its own"


def test_pbctl_import_without_a_token_says_how_to_get_one(platform, tmp_path, monkeypatch):
    monkeypatch.delenv("TOKEN", raising=False)
    write_sheet(tmp_path / "a.csv", [])
    result = CliRunner().invoke(cli, ["org", "import", str(tmp_path / "a.csv"), "--tenant", "610222",
                                      "--target", f"127.0.0.1:{platform.port}"])
    assert result.exit_code == 2 and "pbctl dev-token" in result.output


def test_pbctl_org_units_lists_through_grpc(platform, monkeypatch):
    code = platform.new_county()
    import_rows(rows_from_dicts(county_rows(code, SMALL)), platform.org_uow(code))
    monkeypatch.setenv("TOKEN", token("county_admin", [code]))
    target = f"127.0.0.1:{platform.port}"
    result = CliRunner().invoke(cli, ["org", "units", "--tenant", code, "--type", "TOWNSHIP", "--target", target])
    assert result.exit_code == 0, result.output
    assert "彭镇" in result.output and "尧生镇" in result.output and "2 units" in result.output
    result = CliRunner().invoke(cli, ["org", "units", "--tenant", code, "--under", "尧生镇", "--type", "WORK_STATION",
                                      "--target", target])
    assert result.exit_code == 0, result.output
    assert "尧生镇第1片区党建工作站" in result.output and "彭镇第1" not in result.output
