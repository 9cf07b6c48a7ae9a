"""pbctl notify sweep: run a county's reminder, escalation and calendar sweep now (operators).

The platform sweeps every county every 10 minutes; this is for trying a schedule out and for
the README's walk-through. `--as-of` sweeps as if it were that moment (county time unless an
offset is given): the messages it makes are real.
"""

from __future__ import annotations

import click

from services.common.tenancy import tenant_name
from services.pbctl.settings import TARGET


@click.command("sweep")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@click.option("--as-of", "as_of", default="", help="Sweep as if it were then, e.g. 2026-12-14T09:00.")
@TARGET
def sweep(tenant: str, as_of: str, target: str) -> None:
    """Make the reminders, escalations and calendar messages due now for one county."""
    from partybuilding.notify.v1 import notify_reminders_pb2 as pb

    from services.pbctl.notify import _due, _rpc

    got = _rpc(target, "SweepReminders", pb.SweepRemindersRequest(parent=tenant_name(tenant),
                                                                   as_of=_due(as_of, "--as-of")), tenant)
    click.echo(f"swept {tenant_name(tenant)}: {got.open_copies} open copies, {got.reminders} reminders, "
               f"{got.escalations} escalations, {got.calendar} calendar messages, {got.cancelled} cancelled")
