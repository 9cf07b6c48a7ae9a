"""`pbctl points rules apply` on files a reviewer tries: a repeated key, a 10 MB file, a file not
in UTF-8, a publication date that cannot be read. Each is refused with its reason in both
languages, exit status 2, and nothing is written on the server."""

from __future__ import annotations

import yaml

from tests.integration.test_pbctl_points import cli_county  # noqa: F401 (the fixture)

DOCUMENT = {
    "display_name": "规则", "mode": "DEDUCT_FROM_BASE",
    "rules": [{"code": "ABSENT", "name_zh": "缺席", "kind": "DEDUCT", "points": 2, "unit": "TIMES"}],
}


def _write(tmp_path, name: str, body: str | bytes):
    path = tmp_path / name
    (path.write_bytes if isinstance(body, bytes) else path.write_text)(body)
    return str(path)


def test_a_key_given_twice_is_refused_with_its_line_not_silently_the_last(cli_county, tmp_path):  # noqa: F811
    code, run = cli_county
    body = yaml.safe_dump(DOCUMENT, allow_unicode=True).replace("mode: DEDUCT_FROM_BASE\n",
                                                               "mode: DEDUCT_FROM_BASE\nmode: ACCUMULATE\n")
    result = run("rules", "apply", _write(tmp_path, "twice.yaml", body), "--tenant", code, "--dry-run")
    assert result.exit_code == 2, result.output
    assert "duplicate key 'mode'" in result.output and "重复的键" in result.output, result.output
    assert "line 3" in result.output, result.output
    rule_twice = yaml.safe_dump(DOCUMENT, allow_unicode=True).replace("  points: 2\n", "  points: 2\n  points: 9\n")
    result = run("rules", "apply", _write(tmp_path, "rule.yaml", rule_twice), "--tenant", code, "--dry-run")
    assert result.exit_code == 2 and "duplicate key 'points'" in result.output, result.output


def test_a_file_too_large_is_refused_before_any_call(cli_county, tmp_path):  # noqa: F811
    code, run = cli_county
    huge = yaml.safe_dump({**DOCUMENT, "description": "x" * (10 * 1024 * 1024)}, allow_unicode=True)
    result = run("rules", "apply", _write(tmp_path, "huge.yaml", huge), "--tenant", code, "--id", "big")
    assert result.exit_code == 2, result.output
    assert "too large" in result.output and "过大" in result.output, result.output
    assert "RESOURCE_EXHAUSTED" not in result.output
    assert run("rules", "list", "--tenant", code).output == ""


def test_a_file_not_in_utf8_is_told_to_be_saved_as_utf8(cli_county, tmp_path):  # noqa: F811
    code, run = cli_county
    body = yaml.safe_dump(DOCUMENT, allow_unicode=True)
    for name, raw in (("gbk.yaml", body.encode("gbk")), ("utf16.yaml", body.encode("utf-16"))):
        result = run("rules", "apply", _write(tmp_path, name, raw), "--tenant", code, "--dry-run")
        assert result.exit_code == 2, result.output
        assert "UTF-8" in result.output and "编码" in result.output, result.output
    bom = _write(tmp_path, "bom.yaml", "\ufeff" + body)  # Notepad's UTF-8 with a BOM is UTF-8
    assert run("rules", "apply", bom, "--tenant", code, "--dry-run").exit_code == 0


def test_an_unreadable_publication_date_is_refused_before_the_draft_is_written(cli_county, tmp_path):  # noqa: F811
    code, run = cli_county
    path = _write(tmp_path, "rules.yaml", yaml.safe_dump(DOCUMENT, allow_unicode=True))
    for bad in ("2027-02-30", "99999-01-01", "next year"):
        result = run("rules", "apply", path, "--tenant", code, "--id", "twelve", "--publish", "--effective-from", bad)
        assert result.exit_code == 2, result.output
        assert "effective-from" in result.output and "YYYY-MM-DD" in result.output, result.output
    assert run("rules", "list", "--tenant", code).output == ""  # no draft left behind
    result = run("rules", "apply", path, "--tenant", code, "--id", "twelve", "--publish",
                 "--effective-from", "２０２６－０１－０１")  # typed with a Chinese input method
    assert result.exit_code == 0 and "PUBLISHED from 2026-01-01" in result.output, result.output


def test_a_csv_cell_over_the_csv_modules_limit_is_refused_by_line_not_internal(cli_county, platform, tmp_path,  # noqa: F811
                                                                                monkeypatch):
    from click.testing import CliRunner

    from services.pbctl.main import cli
    from tests.conftest import token

    code, run = cli_county
    huge = "x" * 200_000
    sheet = _write(tmp_path, "attendance.csv", f"member,quantity\nm-{huge},1\n")
    result = run("batch-record", "--tenant", code, "--rule", "ABSENT", "--csv", sheet)
    assert result.exit_code == 2 and "line 2" in result.output and "第2行" in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    # The organization's import reads CSV with the same kernel reader: it answered INTERNAL.
    monkeypatch.setenv("TOKEN", token("county_admin", [code]))
    county_sheet = _write(tmp_path, "county.csv", f"record,ref,display_name\nunit,R1,{huge}\n")
    imported = CliRunner().invoke(cli, ["org", "import", "--tenant", code, "--dry-run", county_sheet,
                                        "--target", f"127.0.0.1:{platform.port}"])
    assert "INTERNAL" not in imported.output and "line 2" in imported.output, imported.output
    assert imported.exit_code != 0
