"""pbctl: run and operate the platform from a shell."""

from __future__ import annotations

import click

from services.pbctl import (
    assessment_case_edits,  # noqa: F401 - adds add-problem, revise, remove-problem to `assessment case`
    assessment_cases,  # noqa: F401 - adds `assessment case`
    assessment_results,  # noqa: F401 - adds results, result, export, preview to `assessment`
    assessment_rounds,  # noqa: F401 - adds `round` to `assessment`
    points_exchange,  # noqa: F401  (adds the exchange's commands to `points`)
    points_ledger,  # noqa: F401 - adds the ledger's commands to `points`
)
from services.pbctl.assessment import assessment
from services.pbctl.deploy import deploy
from services.pbctl.distributed import run_distributed
from services.pbctl.events import events
from services.pbctl.notify import notify
from services.pbctl.org import org
from services.pbctl.points import points
from services.pbctl.settings import load_settings
from services.pbctl.tenant import tenant


@click.group()
def cli() -> None:
    """partybuilding platform control (党建平台管理工具)."""


@cli.command("dev-token")
@click.option("--role", required=True, type=click.Choice(["operator", "city", "county_admin", "clerk", "system"]))
@click.option("--tenant", "tenants", multiple=True, help="County (or city) code; '*' for every tenant. Repeatable.")
@click.option("--unit", default=None, help="A clerk's subtree root, tenants/{code}/units/{id}.")
@click.option("--scope", "scopes", multiple=True, help="A system account's scope, e.g. org.read. Repeatable.")
@click.option("--sub", default="dev", help="Subject (who the token is for).")
@click.option("--ttl", default=12 * 3600, show_default=True, help="Lifetime in seconds.")
def dev_token(role, tenants, unit, scopes, sub, ttl) -> None:
    """Mint an HS256 token against the dev secret (PB_JWT_SECRET)."""
    from services.common.auth import mint_token

    settings = load_settings()
    if not settings.jwt_secret:
        raise click.UsageError("PB_JWT_SECRET is not set: production keys are not minted here")
    tenants = list(tenants) or (["*"] if role == "operator" else [])
    if not tenants:
        raise click.UsageError("--tenant is required for this role")
    click.echo(mint_token(settings.jwt_secret, role=role, tenants=tenants, subject=sub, unit=unit,
                          scopes=list(scopes), ttl_seconds=ttl))


def _services(chosen: tuple[str, ...]) -> tuple[str, ...]:
    """The services named by --service (each known), else every service."""
    from services.platform import SERVICES

    unknown = [s for s in chosen if s not in SERVICES]
    if unknown:
        raise click.BadParameter(f"unknown service {', '.join(unknown)}; services: {', '.join(SERVICES)}",
                                 param_hint="--service")
    return chosen or SERVICES


SERVICE_CHOICE = click.option("--service", "services_", multiple=True,
                              help="Only this service (repeatable); default: every service.")


@cli.command()
@SERVICE_CHOICE
def migrate(services_: tuple[str, ...]) -> None:
    """Bring the services' schemas to the newest revision."""
    from services.platform import migrate_all

    migrate_all(load_settings(), _services(services_))
    click.echo("migrated")


@cli.command()
@click.option("--demo/--no-demo", default=False, help="Load the demo county 宜君县 (610222) if it is not there.")
@SERVICE_CHOICE
def serve(demo: bool, services_: tuple[str, ...]) -> None:
    """Serve the services in one process (every one by default: the embedded mode on SQLite;
    one per process on Kubernetes, `--service points`)."""
    from services.serve import serve_all

    serve_all(load_settings(), demo=demo, services=_services(services_))


cli.add_command(org)
cli.add_command(events)
cli.add_command(points)
cli.add_command(notify)
cli.add_command(assessment)
cli.add_command(run_distributed)
cli.add_command(deploy)
cli.add_command(tenant)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
