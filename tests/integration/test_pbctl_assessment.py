"""`pbctl assessment scheme ...` against a running server: a county adapts a template and applies it."""

from __future__ import annotations

import pytest
import yaml
from click.testing import CliRunner
from partybuilding.assessment.v1 import assessment_schemes_pb2 as spb

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
        return CliRunner().invoke(cli, ["assessment", *args, *target])

    return code, run


def test_a_county_writes_out_a_template_adapts_it_and_applies_it(cli_county, platform, tmp_path):
    code, run = cli_county
    listed = run("scheme", "templates")
    assert listed.exit_code == 0, listed.output
    assert {"lead-goose", "star-rating", "five-good", "six-good"} <= {line.split()[0] for line in
                                                                       listed.output.splitlines()}
    written = run("scheme", "template", "star-rating")
    assert written.exit_code == 0, written.output
    document = yaml.safe_load(written.output)
    assert len(document["negative_items"]) == 20 and document["stages"][4]["name_zh"] == "市级复核"
    document["display_name"] = "宜君县村党组织评星定级"
    document["stages"][3]["days"] = 5
    path = tmp_path / "scheme.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    checked = run("scheme", "apply", str(path), "--tenant", code, "--id", "stars", "--validate-only")
    assert checked.exit_code == 0 and "nothing written" in checked.output, checked.output
    applied = run("scheme", "apply", str(path), "--tenant", code, "--id", "stars", "--publish",
                  "--effective-from", "2026-01-01")
    assert applied.exit_code == 0 and "PUBLISHED from 2026-01-01" in applied.output, applied.output
    name = f"tenants/{code}/schemes/stars"
    got = platform.assessment.GetScheme(spb.GetSchemeRequest(name=name), metadata=platform.as_("county_admin", [code]))
    assert (got.display_name, got.stages[3].days, got.revision) == ("宜君县村党组织评星定级", 5, 1)

    document["stages"][3]["days"] = 10  # an edit of the published scheme: a new draft revision
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    again = run("scheme", "apply", str(path), "--tenant", code, "--id", "stars")
    assert again.exit_code == 0 and "revision 2 DRAFT" in again.output, again.output
    shown = run("scheme", "show", "stars", "--tenant", code, "--revision", "1")
    assert shown.exit_code == 0 and yaml.safe_load(shown.output)["stages"][3]["days"] == 5, shown.output
    assert "stars" in run("scheme", "list", "--tenant", code).output


def test_a_bad_file_prints_every_problem_with_its_path(cli_county, tmp_path):
    code, run = cli_county
    shape = tmp_path / "shape.yaml"
    shape.write_text("display_name: 考核\ngrades:\n  - code: A\n    min_scor: 2\n  - code: B\n    min_score: high\n"
                     "stages:\n  - kind: SCOREING\n", encoding="utf-8")
    result = run("scheme", "apply", str(shape), "--tenant", code)
    assert result.exit_code == 2, result.output
    assert "grades[0].min_scor: unknown key 'min_scor'" in result.output
    assert "grades[1].min_score: must be a number / 应为数值" in result.output
    assert "stages[0].kind: must be one of SCORING, REVIEW, PUBLIC_NOTICE, RECHECK" in result.output

    written = run("scheme", "template", "five-good")
    document = yaml.safe_load(written.output)
    document["dimensions"][0]["weight"] = 20
    document["grades"][1]["min_score"] = 95
    document["negative_items"][0]["effect"] = "CAP"
    values = tmp_path / "values.yaml"
    values.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = run("scheme", "apply", str(values), "--tenant", code, "--validate-only")
    assert result.exit_code == 2, result.output
    assert "dimensions: the dimensions' weights must sum to 100, not 90 / 各维度权重之和应为100，现为90" in result.output
    assert "grades[1].min_score: must be below grades[0].min_score" in result.output
    assert "negative_items[0].cap_grade: must name the best grade a CAP allows" in result.output
    assert run("scheme", "list", "--tenant", code).output == ""  # nothing was written

    broken = tmp_path / "broken.yaml"
    broken.write_text("grades: [\n", encoding="utf-8")
    result = run("scheme", "apply", str(broken), "--tenant", code)
    assert result.exit_code == 2 and "not valid YAML" in result.output, result.output
    result = run("scheme", "apply", str(values), "--tenant", code, "--validate-only", "--publish")
    assert result.exit_code == 2 and "--validate-only" in result.output
    assert run("scheme", "template", "nowhere").exit_code == 2


def test_a_county_adopts_a_template_by_name_and_publishes_it(cli_county, platform):
    code, run = cli_county
    adopted = run("scheme", "adopt", "lead-goose", "--tenant", code, "--id", "goose", "--display-name", "宜君头雁指数")
    assert adopted.exit_code == 0 and "revision 1 DRAFT" in adopted.output, adopted.output
    published = run("scheme", "publish", "goose", "--tenant", code, "--effective-from", "2026-07-01")
    assert published.exit_code == 0 and "PUBLISHED from 2026-07-01" in published.output, published.output
    again = run("scheme", "publish", "goose", "--tenant", code)
    assert again.exit_code == 1 and "FAILED_PRECONDITION" in again.output and "no draft to publish" in again.output
    got = platform.assessment.GetScheme(spb.GetSchemeRequest(name=f"tenants/{code}/schemes/goose"),
                                        metadata=platform.as_("county_admin", [code]))
    assert (got.template, got.display_name) == ("lead-goose", "宜君头雁指数")


def test_an_operator_resyncs_a_county_from_the_shell(cli_county, monkeypatch):
    code, run = cli_county
    monkeypatch.setenv("TOKEN", token("operator", ["*"]))
    result = run("resync", "--tenant", code)
    assert result.exit_code == 0 and f"resynced tenants/{code}: 0 units, 0 members" in result.output, result.output
