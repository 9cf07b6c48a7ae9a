"""`make run` as a user meets it: one process, demo county, health, metrics, graceful stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.request

import grpc
import pytest
from partybuilding.organization.v1 import organization_service_pb2 as pb
from partybuilding.organization.v1 import organization_service_pb2_grpc as pb_grpc

from tests.conftest import creds, token
from tests.e2e.processes import free_port, wait_serving


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    grpc_port, metrics_port = free_port(), free_port()
    env = {**os.environ, "PB_VAR_DIR": str(tmp_path_factory.mktemp("var")), "PB_GRPC_PORT": str(grpc_port),
           "PB_METRICS_PORT": str(metrics_port)}
    for key in ("PB_DATABASE_URL", "PB_AMQP_URI"):
        env.pop(key, None)
    # Its output goes to a file, not a pipe: nobody reads a pipe while it serves, and the demo's
    # directory resyncs log a line per call, enough to fill a pipe and block the process.
    output = tmp_path_factory.mktemp("out") / "serve.log"
    with output.open("w") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "services.pbctl.main", "serve", "--demo"], env=env,
                                stdout=sink, stderr=subprocess.STDOUT, text=True)
    channel = grpc.insecure_channel(f"127.0.0.1:{grpc_port}")
    wait_serving(proc, channel, output=output)
    yield proc, channel, metrics_port, output
    channel.close()
    if proc.poll() is None:
        proc.kill()


def test_demo_county_is_served(served):
    _proc, channel, *_ = served
    stub = pb_grpc.OrganizationServiceStub(channel)
    auth = creds(token("county_admin", ["610222"]))
    tenant = stub.GetTenant(pb.GetTenantRequest(name="tenants/610222"), metadata=auth)
    assert tenant.display_name == "宜君县" and tenant.city_code == "610200"
    towns = stub.ListUnits(pb.ListUnitsRequest(parent="tenants/610222", types=[pb.TOWNSHIP]), metadata=auth)
    assert len(towns.units) == 8
    stations = stub.ListUnits(pb.ListUnitsRequest(parent="tenants/610222", types=[pb.WORK_STATION], page_size=100),
                              metadata=auth)
    assert len(stations.units) == 29
    villages = stub.ListUnits(pb.ListUnitsRequest(parent="tenants/610222", types=[pb.VILLAGE], page_size=1000),
                              metadata=auth)
    assert len(villages.units) == 117


def test_the_demo_county_has_a_weeks_task_list_in_flight(served):
    from partybuilding.notify.v1 import notify_notices_pb2 as npb
    from partybuilding.notify.v1 import notify_service_pb2_grpc as notify_grpc

    from tests.helpers import wait_for

    _proc, channel, _, _ = served
    stub, auth = notify_grpc.NotifyServiceStub(channel), creds(token("county_admin", ["610222"]))
    listed = lambda: [n for n in stub.ListNotices(npb.ListNoticesRequest(  # noqa: E731
        parent="tenants/610222"), metadata=auth).notices if "工作任务清单" in n.title and not n.parent_notice]
    # This week's list and last week's (still open in one village), newest first.
    task_list, _last_week = wait_for(lambda: len(found := listed()) == 2 and found, timeout=120,
                                     what="the demo task lists")
    status = lambda: stub.GetNoticeStatus(npb.GetNoticeStatusRequest(name=task_list.name), metadata=auth)  # noqa: E731
    # The demo's last step is the second station's 签收: once it is in, the week is as the demo left it.
    settled = wait_for(lambda: (s := status()).counts.acknowledged == 2 and s, timeout=60, what="the demo week")
    assert settled.counts.recipients >= 2 and settled.tree_counts.reported == 2
    [forwarded] = [r.forwarded for r in settled.recipients if r.HasField("forwarded")]
    assert forwarded.notice.parent_notice == task_list.name


def test_the_demo_countys_points_crossings_and_round_reach_inboxes_through_the_consumers(served):
    from partybuilding.notify.v1 import notify_inbox_messages_pb2 as ipb
    from partybuilding.notify.v1 import notify_service_pb2_grpc as notify_grpc

    from tests.helpers import wait_for

    _proc, channel, _, _ = served
    notify, auth = notify_grpc.NotifyServiceStub(channel), creds(token("county_admin", ["610222"]))
    towns = pb_grpc.OrganizationServiceStub(channel).ListUnits(
        pb.ListUnitsRequest(parent="tenants/610222", types=[pb.TOWNSHIP]), metadata=auth).units
    villages = pb_grpc.OrganizationServiceStub(channel).ListUnits(
        pb.ListUnitsRequest(parent="tenants/610222", types=[pb.VILLAGE], page_size=5), metadata=auth).units

    def made_from(units, event_type: str) -> list:
        return [m for u in units for m in notify.ListInboxMessages(ipb.ListInboxMessagesRequest(
            parent=u.name, page_size=1000), metadata=auth).messages if m.source_type == event_type]

    crossings = wait_for(lambda: made_from(towns, "points.threshold_crossed"), timeout=120,
                         what="the points demo's threshold crossings in an inbox")
    assert all("积分" in m.body for m in crossings)
    notices = wait_for(lambda: made_from(villages, "assessment.round_advanced"), timeout=60,
                       what="the assessment demo's public notice in the villages' inboxes")
    assert all("公示" in m.body for m in notices)


def test_metrics_count_calls_by_tenant(served):
    _proc, channel, metrics_port, _ = served
    stub = pb_grpc.OrganizationServiceStub(channel)
    stub.GetTenant(pb.GetTenantRequest(name="tenants/610222"), metadata=creds(token("county_admin", ["610222"])))
    body = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read().decode()
    assert 'grpc_server_handled_total{grpc_code="OK",grpc_method="GetTenant",grpc_service="OrganizationService",tenant="610222"}' in body


def test_sigterm_drains_and_exits_cleanly(served):
    proc, _channel, _, output = served
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert '"msg": "rpc"' in output.read_text()

