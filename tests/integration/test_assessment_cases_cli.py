"""The rectification ledger from a shell: pbctl assessment case create/show/list/progress/request-closure/verify."""

from __future__ import annotations

from tests.conftest import token
from tests.integration.case_ledger import Ledger


def test_pbctl_takes_a_problem_from_ledger_to_closure(platform, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from services.pbctl.main import cli

    ledger = Ledger(platform)
    target = ["--target", f"127.0.0.1:{platform.port}"]
    runner = CliRunner()

    def run(*args, as_: str = "user:admin", unit: str = "", role: str = "county_admin", status: int = 0) -> str:
        monkeypatch.setenv("TOKEN", token(role, [ledger.code], subject=as_, unit=unit or None))
        result = runner.invoke(cli, ["assessment", "case", *args, *target])
        assert result.exit_code == status, result.output
        return result.output

    file = tmp_path / "case.yaml"
    file.write_text(f"""
unit: {ledger.inside.village.name}
title: 彭镇村0软弱涣散整顿
problems:
  - description: 党员活动室长期闲置
    measures: [每月开放活动室, 建立值班制度]
    deadline: {ledger.day(30)}
    owner: {{display_name: 王书记, member: {ledger.member.name}}}
""", encoding="utf-8")
    created = run("create", str(file), "--request-id", "cli-case-1")
    case = created.split("\t")[0]
    assert case.startswith(f"{ledger.parent}/cases/") and "1 problem(s)" in created
    assert run("create", str(file), "--request-id", "cli-case-1").split("\t")[0] == case
    problem = f"{case}/problems/1"
    assert "OPEN" in run("progress", problem, "--note", "活动室已开放", unit=ledger.inside.village.name,
                         role="clerk", as_="user:village")
    assert "CLOSURE_REQUESTED" in run("request-closure", problem, unit=ledger.inside.village.name, role="clerk",
                                      as_="user:village")
    refused = run("verify", problem, "--passed", unit=ledger.inside.town.name, role="clerk", as_="user:town",
                  status=1)
    assert "PERMISSION_DENIED" in refused
    assert "CLOSED" in run("verify", problem, "--passed", "--note", "验收合格", unit=ledger.inside.station.name,
                           role="clerk", as_="user:chief")
    shown = run("show", case)
    assert "每月开放活动室" in shown and "活动室已开放" in shown and "VERIFICATION_PASSED" in shown
    listed = run("list", "--tenant", ledger.code, "--state", "closed")
    assert "彭镇村0软弱涣散整顿" in listed and case in listed

    bad = tmp_path / "bad.yaml"
    bad.write_text(f"unit: {ledger.inside.village.name}\ntitle: t\nproblems:\n  - description: d\n"
                   f"    measures: []\n    deadline: {ledger.day(-1)}\n    owner: 王\n    colour: red\n", encoding="utf-8")
    assert "problems[0].colour" in run("create", str(bad), status=2)
    bad.write_text(f"unit: {ledger.inside.village.name}\ntitle: t\nproblems:\n  - description: d\n"
                   f"    measures: []\n    deadline: {ledger.day(-1)}\n    owner: 王\n", encoding="utf-8")
    refused = run("create", str(bad), status=2)
    assert "case.problems[0].measures" in refused and "case.problems[0].deadline" in refused


def test_pbctl_changes_an_open_case_plan(platform, monkeypatch):
    from click.testing import CliRunner

    from services.pbctl.main import cli

    ledger = Ledger(platform)
    case = ledger.create().name
    target = ["--target", f"127.0.0.1:{platform.port}"]
    monkeypatch.setenv("TOKEN", token("county_admin", [ledger.code], subject="user:admin"))

    def run(*args, status: int = 0) -> str:
        result = CliRunner().invoke(cli, ["assessment", "case", *args, *target])
        assert result.exit_code == status, result.output
        return result.output

    added = run("add-problem", case, "--description", "发展党员不规范", "--measure", "重新履行程序",
                "--deadline", ledger.day(20), "--owner", "李委员", "--note", "督查发现")
    assert "2/2 open" in added
    revised = run("revise", f"{case}/problems/1", "--deadline", ledger.day(45), "--owner", "李委员",
                  "--reason", "汛期施工受阻")
    assert "OPEN" in revised
    assert "1/2 open" in run("remove-problem", f"{case}/problems/2", "--reason", "重复登记")
    shown = run("show", case)
    assert "REVISED" in shown and f"→ {ledger.day(45)}" in shown and "REMOVED" in shown and "撤销原因：重复登记" in shown
    refused = run("revise", f"{case}/problems/1", "--reason", "无", status=2)
    assert "update_mask" in refused
