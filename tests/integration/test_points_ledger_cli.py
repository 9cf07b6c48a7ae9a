"""pbctl points ledger commands against the running server: record, batch-record from a CSV,
approve, reverse, balance, entries, standings, summary, verify."""

from __future__ import annotations

from click.testing import CliRunner

from services.pbctl.main import cli
from tests.conftest import token
from tests.integration.ledger_setup import LedgerCounty


def test_a_clerks_day_from_the_shell(platform, monkeypatch, tmp_path):
    c = LedgerCounty(platform)
    target = ["--tenant", c.code, "--target", f"127.0.0.1:{platform.port}"]
    monkeypatch.setenv("TOKEN", token("clerk", [c.code], unit=c.villages[0].name, subject="clerk-0"))
    run = CliRunner().invoke
    first, second = (m.name.rsplit("/", 1)[-1] for m in c.members[:2])
    recorded = run(cli, ["points", "record", "--member", first, "--rule", "LATE", "--quantity", "3",
                         "--note", "缺席", *target])
    assert recorded.exit_code == 0, recorded.output
    assert "LATE x3  -9  COUNTED" in recorded.output
    sheet = tmp_path / "attendance.csv"
    sheet.write_text(f"member,quantity\n{first},1\n{second},2\n", encoding="utf-8")
    batch = run(cli, ["points", "batch-record", "--rule", "STUDY", "--csv", str(sheet), *target])
    assert batch.exit_code == 0 and "recorded 2 entries" in batch.output, batch.output
    pending = run(cli, ["points", "record", "--member", second, "--rule", "REVIEW", *target])
    entry = pending.output.split()[0]
    own = run(cli, ["points", "approve", entry, *target])
    assert own.exit_code == 1 and "PERMISSION_DENIED" in own.output
    monkeypatch.setenv("TOKEN", token("county_admin", [c.code]))
    assert "COUNTED" in run(cli, ["points", "approve", entry, "--reason", "属实", *target]).output
    reversed_ = run(cli, ["points", "reverse", entry, "--reason", "申诉成立", *target])
    assert reversed_.exit_code == 0 and "+3" in reversed_.output
    balance = run(cli, ["points", "balance", first, *target])
    assert "4 (base 12)" in balance.output and "REMINDER_TALK 提醒谈话" in balance.output, balance.output
    assert len(run(cli, ["points", "entries", "--member", first, *target]).output.splitlines()) == 2
    standings = run(cli, ["points", "standings", "--bottom", "1", *target]).output
    assert "5 members" in standings and "甲" in standings.split("bottom")[1]
    assert "average" in run(cli, ["points", "summary", *target]).output
    verified = run(cli, ["points", "verify", *target])
    assert verified.exit_code == 0 and verified.output.startswith("ok: 6 links"), verified.output


def test_a_date_typed_full_width_is_the_date_and_standings_name_each_members_unit(platform, monkeypatch):
    c = LedgerCounty(platform)
    target = ["--tenant", c.code, "--target", f"127.0.0.1:{platform.port}"]
    monkeypatch.setenv("TOKEN", token("county_admin", [c.code]))
    run = CliRunner().invoke
    first = c.members[0].name
    for when in ("２０２６－０５－０１", "2026-05-01 08:30", "２０２６－０５－０１\u3000０８：３０"):
        recorded = run(cli, ["points", "record", "--member", first, "--rule", "STUDY", "--occurred", when, *target])
        assert recorded.exit_code == 0 and "STUDY x1" in recorded.output and "2026" in recorded.output, recorded.output
    bad = run(cli, ["points", "record", "--member", first, "--rule", "STUDY", "--occurred", "2026-13-01", *target])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    standings = run(cli, ["points", "standings", "--top", "1", *target]).output.splitlines()
    assert standings[2].split()[-2:] == [first, c.villages[0].name], standings  # the clerk's unit to ask for
    summary = run(cli, ["points", "summary", "--unit", c.town.name, *target]).output.splitlines()
    assert summary[0].endswith(c.town.name) and summary[1].endswith(c.station.name), summary
    waiting = run(cli, ["points", "record", "--member", first, "--rule", "REVIEW", *target])
    assert waiting.exit_code == 0 and "PENDING" in waiting.output
    balance = run(cli, ["points", "balance", first, *target]).output
    assert "REVIEW  规则REVIEW  +0 (0)  pending -3 待审核" in balance, balance  # not a bare "+0 (0)"


def test_numbers_out_of_range_or_oddly_spelt_are_refused_without_a_stack_trace(platform, monkeypatch, tmp_path):
    c = LedgerCounty(platform)
    target = ["--tenant", c.code, "--target", f"127.0.0.1:{platform.port}"]
    monkeypatch.setenv("TOKEN", token("county_admin", [c.code]))
    run = CliRunner().invoke
    member = c.members[0].name
    for args in (["record", "--member", member, "--rule", "LATE", "--quantity", "99999999999"],
                 ["standings", "--top", "99999999999"], ["balance", member, "--year", "99999999999"],
                 ["entries", "--limit", "99999999999"]):
        result = run(cli, ["points", *args, *target])
        assert result.exit_code == 2 and "99999999999" in result.output, (args, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
    for quantity in ("99999999999", "1.5", "-1", "两"):
        sheet = tmp_path / "sheet.csv"
        sheet.write_text(f"member,quantity\n{member},{quantity}\n", encoding="utf-8")
        result = run(cli, ["points", "batch-record", "--rule", "LATE", "--csv", str(sheet), *target])
        assert result.exit_code == 2 and "sheet.csv:2" in result.output and "数量" in result.output, (quantity, result.output)
    sheet.write_text(f"member,quantity\n{member},２\n", encoding="utf-8")  # a full-width 2 is 2
    result = run(cli, ["points", "batch-record", "--rule", "LATE", "--csv", str(sheet), *target])
    assert result.exit_code == 0 and "LATE x2" in result.output, result.output
