"""A county's life as the operator runs it, on SQLite and PostgreSQL: onboarded through the RPCs,
exported, restored on another deployment (other databases, another data key) where it answers the
same through gRPC, then archived and purged there. Commands as docs/operations.md gives them."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import zipfile

import grpc
from partybuilding.assessment.v1 import assessment_results_pb2 as spb
from partybuilding.assessment.v1 import assessment_schemes_pb2 as apb
from partybuilding.notify.v1 import notify_channels_pb2 as cpb
from partybuilding.notify.v1 import notify_notices_pb2 as npb
from partybuilding.notify.v1 import notify_service_pb2 as nspb
from partybuilding.notify.v1 import notify_settings_pb2 as nsp
from partybuilding.organization.v1 import organization_service_pb2 as opb
from partybuilding.points.v1 import points_ledger_pb2 as lpb
from partybuilding.points.v1 import points_service_pb2 as ppb

from services.organization.adapters.spreadsheet import sheet_bytes
from services.organization.demo import CountyShape, county_rows
from tests.conftest import creds, fresh_county_code, token
from tests.helpers import expect, wait_for
from tests.integration.deployments import another_deployment, env_of, pbctl
from tests.integration.ledger_setup import R, ago, rule
from tests.integration.results_county import ResultsCounty

OPERATOR = creds(token("operator", ["*"]))


def test_onboarding_stopped_by_a_bad_sheet_completes_when_run_again_and_repeats_nothing(platform, tmp_path):
    code = fresh_county_code()
    rows = county_rows(code, CountyShape(("彭镇",), stations=1, villages=3, members_per_village=(4, 5)), seed=3)
    bad, good = tmp_path / "bad.csv", tmp_path / "good.csv"
    bad.write_bytes(sheet_bytes([*rows, {**rows[-1], "id_card_number": "610222199901011234"}], ".csv"))
    good.write_bytes(sheet_bytes(rows, ".csv"))
    notify = tmp_path / "notify.yaml"
    notify.write_text("reminders:\n  before_days: [3, 1]\n  send_hour: 8\n")
    env = {**env_of(platform.settings), "TOKEN": token("operator", ["*"])}

    def onboard(tree):
        return pbctl(env, "tenant", "onboard", "--code", code, "--name", "开通县", "--tree", str(tree),
                     "--points-template", "xuanen", "--scheme", "star-rating", "--notify-settings", str(notify),
                     "--effective-from", "2026-01-01", "--target", f"127.0.0.1:{platform.port}")

    def steps(result) -> list[list[str]]:
        return [line.split("\t")[:2] for line in result.output.splitlines() if "\t" in line]

    stopped = onboard(bad)
    assert stopped.exit_code == 1 and steps(stopped) == [["done", "tenant"], ["failed", "tree"]], stopped.output
    assert "nothing written" in stopped.output and "run the same command again" in stopped.output
    completed = onboard(good)
    assert completed.exit_code == 0, completed.output
    assert steps(completed) == [["already done", "tenant"], ["done", "tree"], ["done", "directories"],
                                ["done", "points rule set xuanen"], ["done", "assessment scheme star-rating"],
                                ["done", "notify settings"]]
    units = platform.stub.ListUnits(opb.ListUnitsRequest(parent=f"tenants/{code}", page_size=1000), metadata=OPERATOR)
    # Once more (as after a lost answer): nothing is created twice.
    again = onboard(good)
    assert again.exit_code == 0, again.output
    assert ["already done", "points rule set xuanen"] in steps(again)
    assert len(platform.stub.ListUnits(opb.ListUnitsRequest(parent=f"tenants/{code}", page_size=1000),
                                       metadata=OPERATOR).units) == len(units.units) > 3
    rules = platform.points.GetRuleSet(ppb.GetRuleSetRequest(name=f"tenants/{code}/ruleSets/xuanen"), metadata=OPERATOR)
    scheme = platform.assessment.GetScheme(apb.GetSchemeRequest(name=f"tenants/{code}/schemes/star-rating"),
                                           metadata=OPERATOR)
    assert (rules.state, rules.revision, scheme.state, scheme.revision) == (ppb.RuleSet.PUBLISHED, 1,
                                                                            apb.Scheme.PUBLISHED, 1)
    reminders = platform.notify.GetNotifySettings(nsp.GetNotifySettingsRequest(
        name=f"tenants/{code}/notifySettings"), metadata=OPERATOR).reminders
    assert (list(reminders.before_days), reminders.send_hour) == ([3, 1], 8)


def _county_with_a_bit_of_everything(platform) -> tuple[ResultsCounty, dict]:
    """Units, members, a finalized round, a points entry, a notice; what each answers now."""
    county = ResultsCounty(platform)
    round_ = county.finalize()
    op = platform.operator()
    platform.points.ResyncDirectory(ppb.ResyncDirectoryRequest(parent=county.parent), metadata=op)
    platform.notify.ResyncDirectory(nspb.ResyncDirectoryRequest(parent=county.parent), metadata=op)
    rules = platform.points.CreateRuleSet(ppb.CreateRuleSetRequest(parent=county.parent, rule_set_id="study",
        rule_set=ppb.RuleSet(display_name="学习积分", mode=ppb.RuleSet.ACCUMULATE, rules=[rule("STUDY", R.AWARD, 3)])),
        metadata=county.admin)
    platform.points.PublishRuleSet(ppb.PublishRuleSetRequest(name=rules.name, effective_from="2020-01-01"),
                                   metadata=county.admin)
    member = county.members[0].name
    platform.points.RecordEntry(lpb.RecordEntryRequest(parent=county.parent, member=member, rule_code="STUDY",
                                                       quantity=2, occurred_time=ago(hours=2)), metadata=county.admin)
    notice = platform.notify.SendNotice(npb.SendNoticeRequest(parent=county.parent, notice=npb.Notice(
        title="迁移前的通知", body="请各村按时报送。", recipients=[npb.RecipientSelector(subtree=county.town.name)])),
        metadata=county.admin)
    # Secrets sealed under the source's data key: a webhook's and the SMS gateway's.
    webhook = platform.notify.CreateWebhookEndpoint(cpb.CreateWebhookEndpointRequest(
        parent=county.parent, webhook_endpoint=cpb.WebhookEndpoint(
            display_name="县纪委监督平台", url="https://jw.example.gov.cn/hook", event_types=["notify.notice_sent"])),
        metadata=county.admin)
    sms = cpb.SmsGatewaySettings(url="https://sms.example.gov.cn/send", key="gateway-key-0001",
                                 signature="【测试县委组织部】")
    platform.notify.UpdateNotifySettings(nsp.UpdateNotifySettingsRequest(settings=nsp.NotifySettings(
        name=f"{county.parent}/notifySettings", channels=nsp.ChannelSettings(sms=sms)),
        update_mask={"paths": ["channels.sms"]}), metadata=county.admin)
    return county, {"round": round_.name, "member": member, "notice": notice.name, "webhook": webhook}


def _answers(stubs, county: ResultsCounty, names: dict, md) -> dict:
    """What a county admin sees of the county: comparable across deployments."""
    org, points, assessment, notify = stubs
    units = org.ListUnits(opb.ListUnitsRequest(parent=county.parent, page_size=1000), metadata=md).units
    members = org.ListMembers(opb.ListMembersRequest(parent=county.parent, page_size=1000), metadata=md).members
    results = assessment.ListResults(spb.ListResultsRequest(parent=names["round"], page_size=100), metadata=md).results
    notice = notify.GetNoticeStatus(npb.GetNoticeStatusRequest(name=names["notice"]), metadata=md)
    return {
        "units": sorted((u.name, u.display_name, u.parent, u.etag) for u in units),
        "members": sorted((m.name, m.display_name, m.id_card_number, m.phone, m.birth_date) for m in members),
        "balance": points.GetBalance(lpb.GetBalanceRequest(member=names["member"]), metadata=md).balance,
        "results": sorted((r.target, r.total, r.grade, r.rank_in_scope) for r in results),
        "notice": (notice.notice.title, str(notice.counts), len(notice.recipients)),
        # The ledger's hash chain travels intact.
        "ledger": str(points.VerifyLedger(lpb.VerifyLedgerRequest(parent=county.parent), metadata=md)),
    }


def test_a_county_restored_on_another_deployment_answers_the_same_then_is_archived_and_purged(platform, tmp_path):
    county, names = _county_with_a_bit_of_everything(platform)
    before = _answers((platform.stub, platform.points, platform.assessment, platform.notify), county, names,
                      county.admin)
    assert before["ledger"].startswith("ok: true") and before["balance"] == 6
    dump = tmp_path / "county.pbdump"
    exported = pbctl(env_of(platform.settings), "tenant", "export", "--tenant", county.code, "--out", str(dump))
    assert exported.exit_code == 0, exported.output
    assert stat.S_IMODE(os.stat(dump).st_mode) == 0o600
    manifest = json.loads(zipfile.ZipFile(dump).read("manifest.json"))
    assert manifest["tenant"] == county.code and manifest["services"]["points"]["tables"]["entries"]["rows"] == 1

    with another_deployment(platform.backend, tmp_path) as target:
        imported = pbctl(target.env, "tenant", "import", "--in", str(dump))
        assert imported.exit_code == 0, imported.output
        stubs = (target.org, target.points, target.assessment, target.notify)
        assert _answers(stubs, county, names, county.admin) == before
        assert _secrets(target, county) == (names["webhook"].secret, "gateway-key-0001")

        again = pbctl(target.env, "tenant", "import", "--in", str(dump))
        assert again.exit_code == 1 and "ALREADY_EXISTS" in again.output

        archived = pbctl(target.env, "tenant", "offboard", "--tenant", county.code)
        assert archived.exit_code == 0 and "archived tenants/" in archived.output
        refused = wait_for(lambda: _refusal(target, county), timeout=10, what="the archive to be seen")
        assert refused.code() == grpc.StatusCode.FAILED_PRECONDITION and "archived" in refused.details()
        # Every service refuses it, the county's own admin included; another county's learns nothing.
        expect(grpc.StatusCode.FAILED_PRECONDITION, target.points.GetBalance,
               lpb.GetBalanceRequest(member=names["member"]), metadata=county.admin, reason="TENANT_ARCHIVED")
        expect(grpc.StatusCode.FAILED_PRECONDITION, target.notify.SendNotice, npb.SendNoticeRequest(
            parent=county.parent, notice=npb.Notice(title="停用后", body="不应送达")), metadata=county.admin)
        expect(grpc.StatusCode.PERMISSION_DENIED, target.assessment.ListResults,
               spb.ListResultsRequest(parent=names["round"]), metadata=creds(token("county_admin", ["610222"])))

        early = pbctl(target.env, "tenant", "purge", "--tenant", county.code)
        assert early.exit_code == 1 and "--force-before-retention-ends" in early.output
        purged = pbctl(target.env, "tenant", "purge", "--tenant", county.code, "--force-before-retention-ends")
        assert purged.exit_code == 0, purged.output
        # Every row imported is gone, and the archive mark in each of the four services with them.
        assert _total(purged.output, "deleted") == _total(imported.output, "rows") + 4
        assert pbctl(target.env, "tenant", "import", "--in", str(dump)).exit_code == 0  # the county may come back


def _secrets(target, county) -> tuple[str, str]:
    """The webhook secret and the SMS gateway key as the target's own data key opens them."""
    from sqlalchemy import select

    from services.common.config import Settings
    from services.common.db import bind_tenant, make_engine
    from services.common.sealing import DataKey
    from services.notify.adapters import tables
    from services.notify.domain.channel_settings import SEALED_FIELD
    from services.notify.service_layer.webhooks import SECRET_FIELD

    settings = Settings.from_env(target.env)
    engine = make_engine(settings.database_url_for("notify"), "notify", null_pool=True)
    with engine.connect() as conn, conn.begin():
        bind_tenant(conn, county.code)
        secret = conn.execute(select(tables.webhook_endpoints.c.secret_sealed)).scalar_one()
        doc = json.loads(conn.execute(select(tables.notify_settings.c.doc)).scalar_one())
    engine.dispose()
    key = DataKey(settings.data_key)
    return key.open(SECRET_FIELD, secret), key.open(SEALED_FIELD, doc["channels"]["sms"]["key_sealed"])


def _total(output: str, verb: str) -> int:
    return int(next(line for line in output.splitlines() if line.startswith("total\t")).split(f"{verb}=")[1])


def _refusal(target, county) -> grpc.RpcError | None:
    try:
        target.org.GetTenant(opb.GetTenantRequest(name=county.parent), metadata=OPERATOR)
    except grpc.RpcError as err:
        return err
    return None


def test_a_dump_of_another_schema_revision_altered_or_refused_by_the_database_writes_nothing(platform, tmp_path):
    county = ResultsCounty(platform)
    dump = tmp_path / "county.pbdump"
    assert pbctl(env_of(platform.settings), "tenant", "export", "--tenant", county.code, "--out", str(dump)).exit_code == 0
    with zipfile.ZipFile(dump) as source:
        members = {name: source.read(name) for name in source.namelist()}
    manifest = json.loads(members["manifest.json"])
    older = json.loads(members["manifest.json"])
    older["services"]["points"]["revision"] = "0001"
    units = "organization/units.jsonl"
    altered = members[units].replace("东村".encode(), "西村".encode())
    # The third service restored (organization) holds a row its table refuses: the two before roll back.
    directory = "organization/tenants.jsonl"
    broken = (json.dumps({**json.loads(members[directory]), "display_name": None}) + "\n").encode()
    manifest["services"]["organization"]["tables"]["tenants"]["sha256"] = hashlib.sha256(broken).hexdigest()
    cases = {"older": ({"manifest.json": json.dumps(older).encode()}, "points: dump 0001"),
             "altered": ({units: altered}, "checksum"),
             "broken": ({directory: broken, "manifest.json": json.dumps(manifest).encode()}, "nothing was imported")}
    with another_deployment(platform.backend, tmp_path) as target:
        for name, (changes, said) in cases.items():
            _write(tmp_path / name, {**members, **changes})
            refused = pbctl(target.env, "tenant", "import", "--in", str(tmp_path / name))
            assert refused.exit_code == 1 and said in refused.output, (name, refused.output)
            expect(grpc.StatusCode.NOT_FOUND, target.org.GetTenant, opb.GetTenantRequest(name=county.parent),
                   metadata=OPERATOR)
        assert pbctl(target.env, "tenant", "import", "--in", str(dump)).exit_code == 0


def _write(path, members: dict) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def test_purge_needs_the_county_archived_and_nothing_is_done_for_a_county_that_is_not_there(platform, tmp_path):
    county = ResultsCounty(platform)
    env = env_of(platform.settings)
    refused = pbctl(env, "tenant", "purge", "--tenant", county.code, "--force-before-retention-ends")
    assert refused.exit_code == 1 and "offboard" in refused.output
    assert platform.stub.GetTenant(opb.GetTenantRequest(name=county.parent), metadata=county.admin).code == county.code
    missing = fresh_county_code()
    for args in (("export", "--tenant", missing, "--out", str(tmp_path / "none.pbdump")),
                 ("offboard", "--tenant", missing)):
        answer = pbctl(env, "tenant", *args)
        assert answer.exit_code == 1 and f"no county {missing}" in answer.output, answer.output
    assert not (tmp_path / "none.pbdump").exists() and list(tmp_path.iterdir()) == []
    assert pbctl(env, "tenant", "offboard", "--tenant", "610200").exit_code == 2  # a city, not a county


def test_the_periodic_sweeps_leave_an_archived_county_alone(platform):
    from zoneinfo import ZoneInfo

    from partybuilding.notify.v1 import notify_settings_pb2 as spb

    from services.notify.service_layer.reminders import sweep_all
    from services.organization.entrypoints.jobs import sweep_all_terms
    from tests.integration.notify_world import NotifyWorld, stored_messages
    from tests.integration.test_outbox import outbox

    today = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    off = spb.CalendarItem(enabled=False)
    kept, archived = NotifyWorld(platform), NotifyWorld(platform)
    for world in (kept, archived):
        # Today is 主题党日 in both counties, and a secretary's term ends in ten days.
        world.s.UpdateNotifySettings(spb.UpdateNotifySettingsRequest(settings=spb.NotifySettings(
            name=f"{world.parent}/notifySettings", reminders=spb.ReminderSettings(send_hour=0),
            calendar=spb.CalendarSettings(party_day=spb.CalendarItem(day=today.day, lead_days=0), org_life=off,
                                          democratic_review=off)),
            update_mask={"paths": ["calendar", "reminders.send_hour"]}), metadata=world.admin)
        world.county.post(opb.FIRST_SECRETARY, world.villages[0].name, world.county.member(world.villages[0].name).name,
                          start_date="2024-01-01", term_end_date=(today + dt.timedelta(days=10)).date().isoformat(),
                          dispatching_organ="县财政局")
    assert pbctl(env_of(platform.settings), "tenant", "offboard", "--tenant", archived.code).exit_code == 0
    sweep_all(platform.runtime("notify").uow_factory)
    sweep_all_terms(platform.org_uow)

    def swept(world) -> tuple[int, int]:
        return (len([m for m in stored_messages(platform, world.code) if m[1] == "CALENDAR"]),
                len([p for kind, p in outbox(platform, world.code) if kind == "organization.post_term_expiring"]))

    assert swept(kept) == (6, 1) and swept(archived) == (0, 0)


def test_an_archived_countys_queued_messages_are_not_delivered(platform):
    from services.notify.domain.messages import Channel
    from tests.integration.channel_world import ChannelWorld, Receiver, noon

    kept, archived = ChannelWorld(platform), ChannelWorld(platform)
    receivers = {world.code: Receiver() for world in (kept, archived)}
    try:
        for world in (kept, archived):
            world.s.CreateWebhookEndpoint(cpb.CreateWebhookEndpointRequest(
                parent=world.parent, webhook_endpoint=cpb.WebhookEndpoint(
                    display_name="县纪委监督平台", url=receivers[world.code].url, event_types=["test.*"])),
                metadata=world.admin)
            world.compose(channel=Channel.INBOX)  # and a webhook to the endpoint, queued
        assert pbctl(env_of(platform.settings), "tenant", "offboard", "--tenant", archived.code).exit_code == 0
        kept.deliver(noon())  # one delivery round for every county
        assert (len(receivers[kept.code].calls), receivers[archived.code].calls) == (1, [])
    finally:
        for receiver in receivers.values():
            receiver.close()
