"""pbctl tenant: a county's life on the platform as the operator runs it (docs/operations.md).

`onboard` goes through the RPCs (an operator's token in $TOKEN); `export`, `import`, `offboard`
and `purge` are the operator's own work on the service databases (PB_DATABASE_URL, PB_DATA_KEY).
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

import click

from services.pbctl.settings import TARGET, fail, load_settings, token_metadata

TENANT = click.option("--tenant", required=True, help="County code, e.g. 610222.")


@click.group()
def tenant() -> None:
    """County lifecycle commands (县的开通、迁移与停用)."""


def _county(code: str) -> str:
    from services.common import identifiers
    from services.common.tenancy import is_county_code

    code = identifiers.normalize(code)
    if not is_county_code(code):
        fail(f"--tenant {code}: 应为6位县级区划代码 / must be a 6-digit county code such as 610222", 2)
    return code


def _operator() -> str:
    """Who archives, for the record: the login, or the uid where the container has no user entry."""
    try:
        return f"operator:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"operator:uid-{os.getuid()}"


def _counts(counts, verb: str) -> None:
    for c in counts:
        if c.rows:
            click.echo(f"{c.service}\t{c.table}\t{verb}={c.rows}")
    click.echo(f"total\t{verb}={sum(c.rows for c in counts)}")


@tenant.command()
@click.option("--code", required=True, help="The county's 6-digit division code.")
@click.option("--name", "display_name", required=True, help="The county's name, e.g. 宜君县.")
@click.option("--city-code", default="", help="The city's code (default: derived from --code).")
@click.option("--city-name", "city_display_name", default="", help="The city's name, e.g. 铜川市.")
@click.option("--tree", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The county's units, members and posts (.xlsx or .csv, docs/import-format.md).")
@click.option("--points-template", default="", help="A points rule set template to adopt and publish, e.g. xuanen.")
@click.option("--scheme", "schemes", multiple=True,
              help="An assessment scheme template to adopt and publish, e.g. star-rating. Repeatable.")
@click.option("--notify-settings", type=click.Path(exists=True, dir_okay=False),
              help="The county's notify settings: a YAML file as `pbctl notify settings apply` takes.")
@click.option("--effective-from", default="", help="YYYY-MM-DD the published rules apply from (default: today).")
@TARGET
@click.option("--points-target", default="", help="The points service's address (default: --target).")
@click.option("--assessment-target", default="", help="The assessment service's address (default: --target).")
@click.option("--notify-target", default="", help="The notify service's address (default: --target).")
def onboard(code, display_name, city_code, city_display_name, tree, points_template, schemes, notify_settings,
            effective_from, target, points_target, assessment_target, notify_target) -> None:
    """Create a county, import its tree, adopt its templates; run it again to finish a half-done one."""
    from contextlib import ExitStack

    from services.pbctl.notify_settings import read_settings_file
    from services.pbctl.settings import channel
    from services.pbctl.tenant_onboard import Onboarding, Plan

    code = _county(code)
    # A bad settings file is refused before any step runs.
    plan = Plan(code, display_name, city_code, city_display_name, tree, points_template, tuple(schemes),
                read_settings_file(notify_settings) if notify_settings else None)
    if effective_from:
        plan.effective_from = effective_from
    targets = {"organization": target, "points": points_target or target,
               "assessment": assessment_target or target, "notify": notify_target or target}
    with ExitStack() as stack:
        opened = {address: stack.enter_context(channel(address)) for address in set(targets.values())}
        onboarding = Onboarding({service: opened[address] for service, address in targets.items()},
                                token_metadata(code))
        complete = onboarding.run(plan)
    for step in onboarding.steps:
        click.echo(f"{step.outcome}\t{step.name}\t{step.detail}")
    if not complete:
        fail(f"开通未完成，修正后可重新运行同一命令 / onboarding of {code} stopped at a failed step; fix it and run "
             "the same command again (the steps already done are not repeated)")
    click.echo(f"onboarded tenants/{code}")


@tenant.command("export")
@TENANT
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="The dump file to write.")
def export_(tenant: str, out: Path) -> None:
    """Write all of a county's data in every service to one dump file (0600: it holds personal data)."""
    from services.operations.dump import Refused, export_county

    if not out.parent.is_dir():
        fail(f"--out {out}: 目录不存在 / the directory {str(out.parent)!r} does not exist", 2)
    try:
        counts = export_county(load_settings(), _county(tenant), out)
    except Refused as refused:
        fail(str(refused))
    _counts(counts, "rows")
    click.echo(f"wrote {out} (mode 0600: it holds ID numbers and phones in clear)")


@tenant.command("import")
@click.option("--in", "in_", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A dump written by pbctl tenant export.")
def import_(in_: Path) -> None:
    """Restore a county's dump on this deployment, all or nothing."""
    from services.operations.dump import Refused
    from services.operations.restore import import_county

    try:
        code, counts = import_county(load_settings(), in_)
    except Refused as refused:
        fail(str(refused))
    _counts(counts, "rows")
    click.echo(f"imported tenants/{code}")


@tenant.command()
@TENANT
@click.option("--retention-days", default=180, show_default=True, type=click.IntRange(0, 3650),
              help="Days the archived data is kept before `pbctl tenant purge` may delete it.")
def offboard(tenant: str, retention_days: int) -> None:
    """Archive a county: every RPC for it is refused from now on; its data stays until purged."""
    from services.operations.dump import Refused
    from services.operations.lifecycle import offboard as archive

    try:
        done = archive(load_settings(), _county(tenant), _operator(), retention_days)
    except Refused as refused:
        fail(str(refused))
    state = "archived" if done.newly else "already archived"
    click.echo(f"{state} tenants/{done.tenant} at {done.archived_at:%Y-%m-%d %H:%M} UTC; "
               f"purge allowed from {done.purge_after:%Y-%m-%d %H:%M} UTC")


@tenant.command()
@TENANT
@click.option("--force-before-retention-ends", "force", is_flag=True,
              help="Purge although the retention period is not over (the operator's explicit decision).")
def purge(tenant: str, force: bool) -> None:
    """Delete every row of an archived county in every service, once its retention period is over."""
    from services.operations.dump import Refused
    from services.operations.lifecycle import purge as delete_county

    try:
        counts = delete_county(load_settings(), _county(tenant), force)
    except Refused as refused:
        fail(str(refused))
    _counts(counts, "deleted")
    click.echo(f"purged tenants/{tenant}")
