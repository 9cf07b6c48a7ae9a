"""The channels from a shell: pbctl notify webhooks create/list/update/deliveries/delete,
sms-sink and messages, against a running platform and a local receiver."""

from __future__ import annotations

from partybuilding.notify.v1 import notify_channels_pb2 as cpb

from tests.conftest import token
from tests.integration.channel_world import ChannelWorld, Receiver, noon


def test_pbctl_reads_the_sink_and_manages_an_endpoint_and_its_log(platform, monkeypatch):
    from click.testing import CliRunner

    from services.pbctl.main import cli

    w, receiver = ChannelWorld(platform), Receiver([500])
    monkeypatch.setenv("TOKEN", token("county_admin", [w.code]))
    runner = CliRunner()

    def run(*args, status: int = 0) -> str:
        result = runner.invoke(cli, ["notify", *args, "--target", f"127.0.0.1:{platform.port}"])
        assert result.exit_code == status, result.output
        return result.output

    try:
        created = run("webhooks", "create", "--tenant", w.code, "--display-name", "县纪委监督平台", "--url", receiver.url,
                      "--event", "test.*")
        name = created.split("\t")[0]
        assert "secret (shown once" in created and "whsec_" in created
        assert name in run("webhooks", "list", "--tenant", w.code)
        refused = run("webhooks", "create", "--tenant", w.code, "--display-name", "x", "--url", "ftp://x.cn", status=2)
        assert "webhook_endpoint.url" in refused
        w.compose()
        w.deliver(noon())
        sink = run("sms-sink", "--tenant", w.code)
        assert "138****5678" in sink and "王书记同志：请按时参加主题党日" in sink
        log = run("webhooks", "deliveries", name)
        assert "\t500\t" in log and "RETRY" in log
        assert "QUEUED" in run("messages", "--tenant", w.code, "--channel", "WEBHOOK")
        assert "DISABLED" in run("webhooks", "update", name, "--disable")
        assert "enabled" in run("webhooks", "update", name, "--enable")
        run("webhooks", "delete", name)
        assert w.s.ListWebhookEndpoints(cpb.ListWebhookEndpointsRequest(parent=w.parent),
                                        metadata=w.admin).webhook_endpoints == []
    finally:
        receiver.close()
