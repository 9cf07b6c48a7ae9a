"""The notify unit of work: repositories over one tenant-bound transaction."""

from __future__ import annotations

from sqlalchemy import Connection

from services.common.directory import Directory
from services.common.uow import ServiceUnitOfWorkFactory, SqlUnitOfWork
from services.notify.adapters import tables
from services.notify.adapters.queries import NotifyQueries
from services.notify.adapters.reminder_queries import ReminderQueries
from services.notify.adapters.repositories.deliveries import DeliveryLog, MessageListing
from services.notify.adapters.repositories.messages import MessageRepository
from services.notify.adapters.repositories.notices import NoticeRepository
from services.notify.adapters.repositories.settings import SettingsRepository
from services.notify.adapters.repositories.templates import TemplateRepository
from services.notify.adapters.repositories.webhooks import WebhookRepository
from services.notify.adapters.status_queries import StatusQueries


class NotifyUnitOfWork(SqlUnitOfWork):
    notices: NoticeRepository  # notices and each addressed unit's copy
    messages: MessageRepository  # messages on every channel, with their delivery status
    settings: SettingsRepository  # the tenant's notify settings document
    templates: TemplateRepository  # the county's own message templates
    queries: NotifyQueries  # the read side: inboxes, listings
    reminders: ReminderQueries  # what the reminder sweep reads
    status: StatusQueries  # a notice's counts and its recipients page by page
    directory: Directory  # the organization as this service knows it: units, members, posts
    webhooks: WebhookRepository  # the county's webhook endpoints
    deliveries: DeliveryLog  # every channel call (the webhook log, rate windows) and the SMS sink
    message_listing: MessageListing  # the county's messages, newest first, by channel/status/recipient
    organization = None  # the organization's client the directory reads through on a miss

    def _open(self, conn: Connection) -> None:
        self.directory = Directory(conn, tables.directory, self.tenant, self.organization)
        self.notices = NoticeRepository(conn, self.tenant)
        self.messages = MessageRepository(conn, self.tenant)
        self.settings = SettingsRepository(conn, self.tenant)
        self.templates = TemplateRepository(conn, self.tenant)
        self.queries = NotifyQueries(conn, self.tenant, self.directory)
        self.webhooks = WebhookRepository(conn, self.tenant)
        self.deliveries = DeliveryLog(conn, self.tenant)
        self.message_listing = MessageListing(conn, self.tenant)
        self.reminders = ReminderQueries(conn, self.tenant)
        self.status = StatusQueries(conn, self.tenant)


class NotifyUnitOfWorkFactory(ServiceUnitOfWorkFactory):
    unit_of_work = NotifyUnitOfWork
    idempotency = tables.common["idempotency_keys"]

    data_key = None  # services.common.sealing.DataKey: webhook secrets, the SMS gateway's key

    def __call__(self, tenant: str, write: bool = True) -> NotifyUnitOfWork:
        uow = super().__call__(tenant, write)
        uow.data_key = self.data_key
        return uow
