"""The one place the assessment service is wired; `services/platform.py` finds it by name."""

from __future__ import annotations

from partybuilding.assessment.v1 import assessment_events_pb2
from sqlalchemy import Engine

from services.assessment.adapters import tables
from services.assessment.service_layer.unit_of_work import AssessmentUnitOfWorkFactory
from services.common.config import Settings
from services.common.db import make_engine, make_read_engine
from services.common.outbox import OutboxWriter
from services.common.pagination import PageTokens
from services.common.runtime import ServiceRuntime

NAME = "assessment"


def uow_factory(engine: Engine, read_engine: Engine | None = None, page_tokens: PageTokens | None = None,
                organization=None) -> AssessmentUnitOfWorkFactory:
    """Units of work whose events leave through this service's outbox, checked against its contract.

    An event worker calls this with its engine only (no read-through client: the events carry state).
    """
    return AssessmentUnitOfWorkFactory(engine, OutboxWriter(tables.outbox, NAME, assessment_events_pb2),
                                       read_engine, page_tokens, organization)


def build(settings: Settings) -> ServiceRuntime:
    # grpcio is imported here, not at the top: event workers (eventlet) import uow_factory from
    # this module, and grpcio must stay out of their process.
    from partybuilding.assessment.v1 import assessment_service_pb2_grpc

    from services.assessment import demo
    from services.assessment.entrypoints import jobs
    from services.assessment.entrypoints.grpc_servicer import FULL_NAME, AssessmentServicer
    from services.assessment.entrypoints.policy import POLICY
    from services.common.directory.client import OrganizationClient
    from services.common.grpc.server import Mount

    url = settings.database_url_for(NAME)
    engine = make_engine(url, NAME)
    # The directory reads through to the organization on a miss, and ResyncDirectory lists it.
    organization = OrganizationClient.for_service(settings, NAME)
    uow = uow_factory(engine, make_read_engine(url, NAME), PageTokens(settings.page_token_secret), organization)
    servicer = AssessmentServicer(uow)
    mount = Mount(assessment_service_pb2_grpc.add_AssessmentServiceServicer_to_server, servicer, FULL_NAME)
    daily_jobs = [lambda job=job: job(uow) for job in jobs.DAILY_JOBS]
    return ServiceRuntime(NAME, engine, uow, mount, POLICY, daily_jobs=daily_jobs, load_demo=lambda: demo.load_demo(uow),
                          load_demo_serving=lambda: demo.load_demo_serving(uow),
                          on_server_bound=organization.target.bind)
