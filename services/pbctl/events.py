"""pbctl events: the event backbone from a shell (declare, relay, lag, dead letters, replay)."""

from __future__ import annotations

import importlib
import signal

import click

SERVICE = click.option("--service", default="organization", show_default=True,
                       help="Whose database (outbox, dead letters) to work on.")


def _engine(service: str):
    from services.common.db import make_engine
    from services.pbctl.settings import load_settings

    return make_engine(load_settings().database_url_for(service), service, null_pool=True)


@click.group()
def events() -> None:
    """Event backbone commands (事件)."""


def _topology():
    from services.common.events.registry import registered_topology
    from services.platform import SERVICES

    return registered_topology(SERVICES)


@events.command()
def declare() -> None:
    """Declare every registered consumer's queues and bindings on RabbitMQ (idempotent).

    Run before any relay publishes (run-distributed and the relay do it too), so that no event
    leaves before the queues of its consumers exist.
    """
    from services.pbctl.settings import load_settings

    settings = load_settings()
    if not settings.amqp_uri:
        raise click.UsageError("PB_AMQP_URI is not set: there is no broker to declare on")
    topology = _topology()
    topology.declare(settings.amqp_uri)
    click.echo(f"declared exchanges {', '.join(f'{p}.events' for p in topology.producers)}", err=True)
    for b in topology.bindings:
        click.echo(f"{b.producer}.events\t{b.event_type}\t{b.queue}")


@events.command()
@SERVICE
@click.option("--batch-size", default=500, show_default=True)
@click.option("--poll-interval", default=0.1, show_default=True, help="Seconds between rounds when idle.")
@click.option("--backoff-max", default=30.0, show_default=True, help="Longest backoff; a probe every second ends it once the broker answers.")
def relay(service: str, batch_size: int, poll_interval: float, backoff_max: float) -> None:
    """Publish the service's outbox to RabbitMQ (PB_AMQP_URI) until stopped; replicas may run side by side."""
    from services.common import logs
    from services.common.db import make_engine
    from services.common.events.publisher import AmqpPublisher
    from services.common.events.relay import OutboxRelay
    from services.common.metrics import serve_metrics
    from services.pbctl.settings import load_settings

    settings = load_settings()
    if not settings.amqp_uri:
        raise click.UsageError("PB_AMQP_URI is not set: without a broker the relay runs inside `pbctl serve`")
    logs.configure(settings.log_level)
    serve_metrics(settings.metrics_port)
    # The publisher declares the topology on every connection, before its first publish.
    publisher = AmqpPublisher(settings.amqp_uri, _topology())
    runner = OutboxRelay(make_engine(settings.database_url_for(service), service, pool_size=2), service,
                         publisher.publish_batch, batch_size=batch_size, poll_interval=poll_interval,
                         backoff_max=backoff_max, retention_hours=settings.relay_retention_hours,
                         ready=publisher.ready)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: runner.stop())
    click.echo(f"relaying {service} outbox to {settings.amqp_uri.rsplit('@', 1)[-1]}", err=True)
    runner.run()
    publisher.close()


@events.command()
@click.option("--service", "services_", multiple=True, help="Service(s); default: every service.")
def lag(services_: tuple[str, ...]) -> None:
    """Print each outbox's unsent events and the age of the oldest (what the relay gauges export)."""
    from services.common.events.relay import outbox_lag
    from services.platform import SERVICES

    for service in services_ or SERVICES:
        engine = _engine(service)
        count, age = outbox_lag(engine)
        engine.dispose()
        click.echo(f"{service}\tunsent={count}\toldest_age_seconds={age:.1f}")


@events.command("dead-letters")
@SERVICE
@click.option("--consumer", default=None, help="Only this consumer's dead letters.")
@click.option("--all", "include_replayed", is_flag=True, help="Include those already replayed.")
@click.option("--limit", default=100, show_default=True)
def dead_letters(service: str, consumer: str | None, include_replayed: bool, limit: int) -> None:
    """List parked events (死信), oldest first, with why they were parked."""
    from services.common.events.consumer import list_dead_letters

    engine = _engine(service)
    rows = list_dead_letters(engine, consumer, include_replayed, limit)
    engine.dispose()
    if not rows:
        click.echo("no dead letters")
    for d in rows:
        state = f"replayed {d.replayed_at:%Y-%m-%d %H:%M:%S}" if d.replayed_at else "parked"
        click.echo(f"{d.id}\t{d.consumer}\t{d.type or '-'}\t{d.tenant or '-'}\t{d.event_id or '-'}\t"
                   f"attempts={d.attempts}\t{d.parked_at:%Y-%m-%d %H:%M:%S}\t{state}\t{d.reason}")


HANDLERS = click.option("--handlers", "handlers_module", default=None,
                        help="Module with HANDLERS and uow_factory(engine); default "
                             "services.<service>.entrypoints.event_handlers.")


def _handlers(service: str, handlers_module: str | None):
    from services.common.events.registry import handlers_module as default_module

    module = importlib.import_module(handlers_module) if handlers_module else default_module(service)
    if module is None:
        raise click.UsageError(f"{service} declares no event handlers (--handlers MODULE)")
    return module


def _replay_one(engine, module, parked) -> str:
    """Run one parked event through its consumer's handler; the outcome (applied, duplicate)."""
    from services.common.events.registry import consumer_from_module

    consumer = consumer_from_module(module, parked.consumer, engine, module.uow_factory(engine), max_attempts=1)
    consumer.name = parked.consumer
    return consumer.replay(parked.id)


@events.command()
@click.argument("dead_letter_id", type=int)
@SERVICE
@HANDLERS
def replay(dead_letter_id: int, service: str, handlers_module: str | None) -> None:
    """Run a parked event through its handler again (idempotent: an applied event is not re-applied)."""
    from services.common.events.consumer import list_dead_letters

    engine = _engine(service)
    module = _handlers(service, handlers_module)
    parked = {d.id: d for d in list_dead_letters(engine, include_replayed=True, limit=100000)}
    if dead_letter_id not in parked:
        raise click.UsageError(f"no dead letter {dead_letter_id} in {service}")
    try:
        outcome = _replay_one(engine, module, parked[dead_letter_id])
    except Exception as exc:  # noqa: BLE001 - report the handler's failure to the operator
        raise click.ClickException(f"replay failed: {type(exc).__name__}: {exc}") from None
    finally:
        engine.dispose()
    click.echo(f"dead letter {dead_letter_id}: {outcome}")


@events.command("replay-dead-letters")
@SERVICE
@click.option("--consumer", default=None, help="Only this consumer's dead letters.")
@click.option("--limit", default=1000, show_default=True, help="At most this many, oldest first.")
@HANDLERS
def replay_dead_letters(service: str, consumer: str | None, limit: int, handlers_module: str | None) -> None:
    """Replay every parked event (oldest first) once its cause is fixed; one that fails again stays parked.

    Each goes through its handler as `replay` does, so one already applied is not applied twice.
    Exit status 1 when any could not be replayed (an unreadable body, a handler failing again).
    """
    from services.common.events.consumer import list_dead_letters

    engine = _engine(service)
    module = _handlers(service, handlers_module)
    replayed = left = 0
    try:
        for parked in list_dead_letters(engine, consumer, include_replayed=False, limit=limit):
            try:
                outcome = _replay_one(engine, module, parked)
            except Exception as exc:  # noqa: BLE001 - one bad letter does not stop the others
                left += 1
                click.echo(f"{parked.id}	{parked.consumer}	{parked.type or '-'}	left parked	"
                           f"{type(exc).__name__}: {exc}")
                continue
            replayed += 1
            click.echo(f"{parked.id}	{parked.consumer}	{parked.type or '-'}	{outcome}")
    finally:
        engine.dispose()
    click.echo(f"replayed={replayed}	left_parked={left}")
    if left:
        raise SystemExit(1)
