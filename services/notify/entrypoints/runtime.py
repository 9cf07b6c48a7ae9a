"""The one place the notify service is wired; `services/platform.py` finds it by name."""

from __future__ import annotations

from partybuilding.notify.v1 import notify_events_pb2
from sqlalchemy import Engine

from services.common.config import Settings
from services.common.db import make_engine, make_read_engine
from services.common.outbox import OutboxWriter
from services.common.pagination import PageTokens
from services.common.runtime import PeriodicJob, ServiceRuntime
from services.common.sealing import DataKey
from services.notify.adapters import tables
from services.notify.domain import reminder_settings, reminder_templates  # noqa: F401  (register sections, templates)
from services.notify.service_layer.unit_of_work import NotifyUnitOfWorkFactory

NAME = "notify"
# Reminders go at a county's send hour: a sweep every 10 minutes sends them within 10 minutes of it.
SWEEP_SECONDS = 600


# notify's service account: the directory's reads, and members' phones in clear for SMS (the
# organization answers them masked to org.read alone; org.phone opens the phone, nothing else).
SERVICE_SCOPES = ["org.read", "org.phone"]


def uow_factory(engine: Engine, read_engine: Engine | None = None, page_tokens: PageTokens | None = None,
                organization=None, data_key: DataKey | None = None) -> NotifyUnitOfWorkFactory:
    """Units of work whose events leave through this service's outbox, checked against its contract.

    An event worker calls this with its engine only (no read-through client: the events carry state).
    """
    factory = NotifyUnitOfWorkFactory(engine, OutboxWriter(tables.outbox, NAME, notify_events_pb2), read_engine,
                                      page_tokens, organization)
    factory.data_key = data_key or DataKey(Settings.from_env().data_key)
    return factory


def build(settings: Settings) -> ServiceRuntime:
    # grpcio is imported here, not at the top: event workers (eventlet) import uow_factory from
    # this module, and grpcio must stay out of their process.
    from partybuilding.notify.v1 import notify_service_pb2_grpc

    from services.common.directory.client import OrganizationClient
    from services.common.grpc.server import Mount
    from services.notify import demo
    from services.notify.entrypoints.delivery import DeliveryLoop, channels_for
    from services.notify.entrypoints.grpc_servicer import FULL_NAME, NotifyServicer
    from services.notify.entrypoints.policy import POLICY
    from services.notify.service_layer.reminders import sweep_all

    url = settings.database_url_for(NAME)
    engine = make_engine(url, NAME)
    # Recipients resolve against the directory, which reads through to the organization on a
    # miss; ResyncDirectory lists it.
    organization = OrganizationClient.for_service(settings, NAME, scopes=SERVICE_SCOPES)
    uow = uow_factory(engine, make_read_engine(url, NAME), PageTokens(settings.page_token_secret), organization,
                      DataKey(settings.data_key))
    servicer = NotifyServicer(uow)
    mount = Mount(notify_service_pb2_grpc.add_NotifyServiceServicer_to_server, servicer, FULL_NAME)
    return ServiceRuntime(NAME, engine, uow, mount, POLICY,
                          periodic_jobs=[PeriodicJob("notify.reminder_sweep", SWEEP_SECONDS, lambda: sweep_all(uow))],
                          load_demo_serving=lambda: demo.load_demo_serving(uow),
                          on_server_bound=organization.target.bind,
                          # Embedded: the delivery process is a thread; distributed: `pbctl notify deliver`.
                          background=[DeliveryLoop(uow, channels_for(organization))])


def delivery_process(settings: Settings, timeout: float = 5.0):
    """The units of work and channels of a delivery process of its own (`pbctl notify deliver`):
    the organization at PB_ORGANIZATION_TARGET (else this machine's gRPC port)."""
    from services.common.directory.client import OrganizationClient
    from services.notify.entrypoints.delivery import channels_for

    url = settings.database_url_for(NAME)
    organization = OrganizationClient.for_service(settings, NAME, scopes=SERVICE_SCOPES)
    uow = uow_factory(make_engine(url, NAME, pool_size=2), organization=organization,
                      data_key=DataKey(settings.data_key))
    return uow, channels_for(organization, timeout)
