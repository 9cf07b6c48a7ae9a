"""The one place the organization service is wired; `services/platform.py` finds it by name."""

from __future__ import annotations

from partybuilding.organization.v1 import organization_events_pb2
from sqlalchemy import Engine

from services.common.config import Settings
from services.common.db import make_engine, make_read_engine
from services.common.outbox import OutboxWriter
from services.common.pagination import PageTokens
from services.common.runtime import ServiceRuntime
from services.common.sealing import DataKey
from services.organization.adapters import tables
from services.organization.service_layer.unit_of_work import OrgUnitOfWorkFactory

NAME = "organization"


def uow_factory(engine: Engine, read_engine: Engine | None = None, data_key: DataKey | None = None,
                page_tokens: PageTokens | None = None) -> OrgUnitOfWorkFactory:
    """Units of work whose events leave through this service's outbox, checked against its contract.

    An event worker calls this with its engine only: the data key then comes from its environment.
    """
    key = data_key or DataKey(Settings.from_env().data_key)
    return OrgUnitOfWorkFactory(engine, OutboxWriter(tables.outbox, NAME, organization_events_pb2), read_engine, key,
                                page_tokens)


def build(settings: Settings) -> ServiceRuntime:
    # grpcio is imported here, not at the top: event workers (eventlet) import uow_factory from
    # this module, and grpcio must stay out of their process.
    from partybuilding.organization.v1 import organization_service_pb2_grpc

    from services.common.grpc.server import Mount
    from services.organization import demo
    from services.organization.entrypoints import jobs
    from services.organization.entrypoints.grpc_servicer import FULL_NAME, OrganizationServicer
    from services.organization.entrypoints.policy import POLICY
    from services.organization.service_layer import tenants

    url = settings.database_url_for(NAME)
    engine = make_engine(url, NAME)
    uow = uow_factory(engine, make_read_engine(url, NAME), DataKey(settings.data_key),
                      PageTokens(settings.page_token_secret))
    servicer = OrganizationServicer(uow)
    mount = Mount(organization_service_pb2_grpc.add_OrganizationServiceServicer_to_server, servicer, FULL_NAME)
    return ServiceRuntime(NAME, engine, uow, mount, POLICY, daily_jobs=[lambda: jobs.sweep_all_terms(uow)],
                          load_demo=lambda: demo.load_demo_county(uow),
                          tenant_codes=lambda: tenants.list_tenant_codes(uow))
