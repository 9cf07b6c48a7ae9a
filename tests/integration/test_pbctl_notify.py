"""`pbctl notify ...` against a running server: a township sends its week's list, a station
forwards it, a village reports, and the township reads the tree."""

from __future__ import annotations

import re

import pytest
import yaml
from click.testing import CliRunner

from services.pbctl.main import cli
from tests.conftest import token
from tests.integration.notify_world import NotifyWorld


@pytest.fixture
def cli_world(platform, monkeypatch, tmp_path):
    # No database settings on the client: only a token and the server's address.
    monkeypatch.delenv("PB_DATABASE_URL", raising=False)
    monkeypatch.setenv("PB_VAR_DIR", str(tmp_path / "no-database-here"))
    w = NotifyWorld(platform)
    target = ["--target", f"127.0.0.1:{platform.port}"]

    def run(unit, *args: str):
        monkeypatch.setenv("TOKEN", token("clerk", [w.code], unit=unit.name) if unit else token("county_admin", [w.code]))
        return CliRunner().invoke(cli, ["notify", *args, *target])

    return w, run


def test_a_week_runs_down_and_up_from_the_command_line(cli_world, tmp_path):
    w, run = cli_world
    form = tmp_path / "form.yaml"
    form.write_text(yaml.safe_dump([{"name": "meetings", "label_zh": "会议次数", "kind": "NUMBER", "required": True}],
                                   allow_unicode=True), encoding="utf-8")
    sent = run(w.town, "send", "--tenant", w.code, "--title", "第49周任务清单", "--to", w.town.name,
               "--unit-type", "WORK_STATION", "--ack", "--form", str(form), "--due", "2099-01-01T18:00")
    assert sent.exit_code == 2 and "due_time" in sent.output  # more than a year ahead
    sent = run(w.town, "send", "--tenant", w.code, "--title", "第49周任务清单", "--to", w.town.name,
               "--unit-type", "WORK_STATION", "--ack", "--form", str(form))
    assert sent.exit_code == 0 and "to 2 units" in sent.output, sent.output
    notice = re.search(r"sent (\S+)", sent.output)[1]
    station = w.stations[0]
    copy = f"{notice}/recipients/{station.name.rsplit('/', 1)[-1]}"
    forwarded = run(station, "forward", copy, "--to", station.name, "--unit-type", "VILLAGE", "--note", "周五前报送")
    assert forwarded.exit_code == 0 and "to 3 units" in forwarded.output, forwarded.output
    child = re.search(r"forwarded as (\S+)", forwarded.output)[1]
    village = w.villages[0]
    inbox = run(village, "inbox", village.name)
    assert inbox.exit_code == 0 and "1 unread of 1" in inbox.output and "第49周任务清单" in inbox.output
    village_copy = f"{child}/recipients/{village.name.rsplit('/', 1)[-1]}"
    missing = run(village, "report", village_copy)
    assert missing.exit_code == 2 and "values.meetings" in missing.output
    assert run(village, "report", village_copy, "--value", "meetings=2").exit_code == 0
    up = run(station, "report", copy, "--include-forwarded")
    assert up.exit_code == 0 and "meetings: 2  (汇总 / from forwarded)" in up.output, up.output
    tree = run(w.town, "status", notice)
    assert tree.exit_code == 0 and "第一工作站  REPORTED" in tree.output and "村0  REPORTED" in tree.output, tree.output
    assert notice in run(None, "list", "--tenant", w.code, "--sent-by", w.town.name).output
    assert run(w.villages[1], "ack", village_copy).exit_code == 1  # not their unit's copy
    assert run(village, "read", village_copy).output.strip().endswith("REPORTED")  # reading changes nothing more


def test_settings_are_read_as_yaml_and_a_file_naming_no_section_is_refused(cli_world, tmp_path):
    w, run = cli_world
    got = run(None, "settings", "get", "--tenant", w.code)
    assert got.exit_code == 0 and "etag: '\"0\"'" in got.output, got.output
    bad = tmp_path / "settings.yaml"
    bad.write_text("colours: {}\n", encoding="utf-8")
    refused = run(None, "settings", "apply", str(bad), "--tenant", w.code)
    assert refused.exit_code == 2 and "colours" in refused.output


def test_an_operator_sweeps_a_county_from_the_command_line(cli_world, platform, monkeypatch):
    w, run = cli_world
    w.task_list()
    target = ["--target", f"127.0.0.1:{platform.port}"]
    monkeypatch.setenv("TOKEN", token("operator", ["*"]))
    swept = CliRunner().invoke(cli, ["notify", "sweep", "--tenant", w.code, "--as-of", "2026-13-01", *target])
    assert swept.exit_code == 2 and "--as-of" in swept.output
    swept = CliRunner().invoke(cli, ["notify", "sweep", "--tenant", w.code, *target])
    # Due in 3 days: not yet within a day of its deadline, so nothing is reminded yet.
    assert swept.exit_code == 0 and f"swept tenants/{w.code}: 0 open copies, 0 reminders" in swept.output, swept.output
    refused = run(None, "sweep", "--tenant", w.code)  # a county admin
    assert refused.exit_code != 0 and "PERMISSION_DENIED" in refused.output, refused.output
