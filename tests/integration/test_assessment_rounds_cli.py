"""pbctl assessment round commands against the running server: a round from creation to its
public notice, scores from flags and from a CSV or YAML file, an objection, the audit trail."""

from __future__ import annotations

from click.testing import CliRunner

from services.pbctl.main import cli
from tests.conftest import token
from tests.integration.round_county import RoundCounty


def test_a_round_from_the_shell(platform, monkeypatch, tmp_path):
    rc = RoundCounty(platform)
    target = ["--tenant", rc.code, "--target", f"127.0.0.1:{platform.port}"]
    run = CliRunner().invoke
    monkeypatch.setenv("TOKEN", token("county_admin", [rc.code]))
    created = run(cli, ["assessment", "round", "create", "--scheme", "stars", "--revision", "1", "--period", "2026",
                        *target])
    assert created.exit_code == 0, created.output
    assert "2026  RUNNING  stage TOWNSHIP 街考核 (1/5)  3 targets" in created.output
    round_id = created.output.split()[0].rsplit("/", 1)[-1]
    village = rc.villages[0].name.rsplit("/", 1)[-1]
    monkeypatch.setenv("TOKEN", token("clerk", [rc.code], unit=rc.town.name))
    flags = run(cli, ["assessment", "round", "score", round_id, village, "--source", "ORGANIZATION",
                      "--value", "MEETINGS=25", "--value", "ARCHIVE=1", *target])
    assert flags.exit_code == 0 and "ORGANIZATION 2/4" in flags.output, flags.output
    sheet = tmp_path / "scores.csv"
    sheet.write_text("indicator,value,note\nINCOME,60,集体收入台账\nVOLUNTEER,4,\n", encoding="utf-8")
    from_csv = run(cli, ["assessment", "round", "score", round_id, village, "--source", "ORGANIZATION",
                         "--file", str(sheet), *target])
    assert "ORGANIZATION 4/4" in from_csv.output, from_csv.output
    too_high = run(cli, ["assessment", "round", "score", round_id, village, "--source", "ORGANIZATION",
                         "--value", "MEETINGS=31", *target])
    assert too_high.exit_code == 2 and "INVALID_ARGUMENT" in too_high.output and "MEETINGS" in too_high.output
    outside = run(cli, ["assessment", "round", "score", round_id, rc.village_b.name.rsplit("/", 1)[-1],
                        "--source", "ORGANIZATION", "--value", "MEETINGS=20", *target])
    assert outside.exit_code == 1 and "PERMISSION_DENIED" in outside.output
    yaml_sheet = tmp_path / "scores.yaml"
    yaml_sheet.write_text("MEETINGS: 24\nARCHIVE: 1\nINCOME: 55\nVOLUNTEER: 2\n", encoding="utf-8")
    for unit in rc.villages[1:]:
        done = run(cli, ["assessment", "round", "score", round_id, unit.name.rsplit("/", 1)[-1], "--source",
                         "ORGANIZATION", "--file", str(yaml_sheet), *target])
        assert done.exit_code == 0, done.output
    monkeypatch.setenv("TOKEN", token("county_admin", [rc.code]))
    refused = run(cli, ["assessment", "round", "advance", round_id, *target])
    assert refused.exit_code == 1 and "FAILED_PRECONDITION" in refused.output
    assert rc.village_b.name.rsplit("/", 1)[-1] in refused.output
    incomplete = run(cli, ["assessment", "round", "targets", round_id, "--incomplete", *target])
    assert incomplete.output.count("/targets/") == 1 and "东村" in incomplete.output
    trail = run(cli, ["assessment", "round", "events", round_id, "--target-id", village, *target])
    assert trail.output.count("SCORES_SUBMITTED") == 2 and '"MEETINGS": "25.00"' in trail.output, trail.output
    listed = run(cli, ["assessment", "round", "list", *target])
    assert listed.output.count("/rounds/") == 1
