"""pbctl notify: a county's notices, task lists and inboxes (and its directory) from a shell.

Every command is a client of the running server's RPCs, with the token in $TOKEN (see
`pbctl dev-token`).
"""

from __future__ import annotations

import click

from services.common.tenancy import tenant_name
from services.pbctl.points import _call
from services.pbctl.settings import TARGET, channel, token_metadata


def _stub(opened):
    from partybuilding.notify.v1 import notify_service_pb2_grpc as pb_grpc

    return pb_grpc.NotifyServiceStub(opened)


@click.group()
def notify() -> None:
    """Notices, weekly task lists (两下两上) and inboxes (NotifyService)."""


@notify.command("resync")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@TARGET
def resync(tenant: str, target: str) -> None:
    """Rebuild the county's directory of the organization from the organization's listings (operators)."""
    from partybuilding.notify.v1 import notify_service_pb2 as pb

    md = token_metadata(tenant)
    with channel(target) as opened:
        counts = _call(_stub(opened).ResyncDirectory, pb.ResyncDirectoryRequest(parent=tenant_name(tenant)), md)
    click.echo(f"resynced {tenant_name(tenant)}: {counts.units} units, {counts.members} members, "
               f"{counts.posts} posts, {counts.removed} removed")
