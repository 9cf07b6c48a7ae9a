"""`pbctl points rules ...` against a running server: a county adapts a template and applies it."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner
from partybuilding.points.v1 import points_service_pb2 as ppb

from services.pbctl.main import cli
from tests.conftest import token


@pytest.fixture
def cli_county(platform, monkeypatch, tmp_path):
    # No database settings on the client: only a county admin's token and the server's address.
    monkeypatch.delenv("PB_DATABASE_URL", raising=False)
    monkeypatch.setenv("PB_VAR_DIR", str(tmp_path / "no-database-here"))
    code = platform.new_county()
    monkeypatch.setenv("TOKEN", token("county_admin", [code]))
    target = ["--target", f"127.0.0.1:{platform.port}"]

    def run(*args: str):
        return CliRunner().invoke(cli, ["points", *args, *target])

    return code, run


def test_a_county_writes_out_a_template_adapts_it_and_applies_it(cli_county, platform, tmp_path):
    code, run = cli_county
    listed = run("rules", "templates")
    assert listed.exit_code == 0 and "xuanen" in listed.output and "chaohu" in listed.output, listed.output
    written = run("rules", "template", "xuanen")
    assert written.exit_code == 0, written.output
    document = yaml.safe_load(written.output)
    document["display_name"] = "宜君县党员十二分制"
    document["rules"][0]["points"] = 3
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    checked = run("rules", "apply", str(path), "--tenant", code, "--id", "twelve", "--dry-run")
    assert checked.exit_code == 0 and "nothing written" in checked.output, checked.output
    applied = run("rules", "apply", str(path), "--tenant", code, "--id", "twelve", "--publish",
                  "--effective-from", "2026-01-01")
    assert applied.exit_code == 0 and "PUBLISHED from 2026-01-01" in applied.output, applied.output
    got = platform.points.GetRuleSet(ppb.GetRuleSetRequest(name=f"tenants/{code}/ruleSets/twelve"),
                                     metadata=platform.as_("county_admin", [code]))
    assert (got.display_name, got.rules[0].points, got.revision) == ("宜君县党员十二分制", 3, 1)

    document["rules"][0]["points"] = 4  # an edit of the published rules: a new draft revision
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    again = run("rules", "apply", str(path), "--tenant", code, "--id", "twelve")
    assert again.exit_code == 0 and "revision 2 DRAFT" in again.output, again.output
    shown = run("rules", "show", "twelve", "--tenant", code, "--revision", "1")
    assert shown.exit_code == 0 and yaml.safe_load(shown.output)["rules"][0]["points"] == 3, shown.output
    assert "twelve" in run("rules", "list", "--tenant", code).output


def test_a_bad_file_prints_every_problem_with_its_path(cli_county, tmp_path):
    code, run = cli_county
    shape = tmp_path / "shape.yaml"
    shape.write_text("mode: DEDUCT_FROM_BASE\nrules:\n  - code: A\n    pointz: 2\n  - code: B\n    points: five\n"
                     "    kind: REWARD\n", encoding="utf-8")
    result = run("rules", "apply", str(shape), "--tenant", code)
    assert result.exit_code == 2, result.output
    assert "rules[0].pointz: unknown key 'pointz'" in result.output
    assert "rules[1].points: must be an integer / 应为整数" in result.output
    assert "rules[1].kind: must be one of AWARD, DEDUCT, DEDUCT_ALL" in result.output

    values = tmp_path / "values.yaml"
    values.write_text(yaml.safe_dump({
        "display_name": "规则", "mode": "DEDUCT_FROM_BASE",
        "rules": [{"code": "A", "name_zh": "甲", "kind": "DEDUCT", "points": 2, "unit": "TIMES"},
                  {"code": "A", "name_zh": "乙", "kind": "AWARD", "points": 1, "unit": "TIMES"},
                  {"code": "C", "name_zh": "丙", "kind": "deduct", "points": 0, "unit": "TIMES"},
                  {"code": "D", "name_zh": "丁", "kind": "DEDUCT", "points": 0, "unit": "HOURS"}]},
        allow_unicode=True), encoding="utf-8")
    result = run("rules", "apply", str(values), "--tenant", code, "--dry-run")
    assert result.exit_code == 2, result.output
    assert "rules[3].points: must be > 0 / 必须大于0" in result.output
    assert "rules[2].points: must be > 0 / 必须大于0" in result.output
    assert "rules[1].code: duplicates the code of rules[0]" in result.output
    assert run("rules", "list", "--tenant", code).output == ""  # nothing was written

    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [\n", encoding="utf-8")
    result = run("rules", "apply", str(broken), "--tenant", code)
    assert result.exit_code == 2 and "not valid YAML" in result.output, result.output
    result = run("rules", "apply", str(values), "--tenant", code, "--publish")
    assert result.exit_code == 2 and "--effective-from" in result.output


def test_an_operator_resyncs_a_county_from_the_shell(cli_county, monkeypatch):
    code, run = cli_county
    monkeypatch.setenv("TOKEN", token("operator", ["*"]))
    result = run("resync", "--tenant", code)
    assert result.exit_code == 0 and f"resynced tenants/{code}: 0 units, 0 members" in result.output, result.output
