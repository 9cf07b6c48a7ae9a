"""The store every message goes through (services/notify/service_layer/messaging.py): a source
gives at most one message per recipient and channel, retried or raced, on SQLite and PostgreSQL."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from services.common.clock import utcnow
from services.notify.domain.messages import Channel, Recipient, RecipientKind, SourceKind, Status
from services.notify.domain.templates import register
from services.notify.service_layer.messaging import compose
from tests.helpers import County

register("test.greeting", {"name"}, {Channel.INBOX: ("问候", "{{ name }}同志：你好"),
                                     Channel.SMS: ("问候", "{{ name }}同志：你好")})
# No phone: the delivery process fetches it from the organization when it sends (docs/notify-channels.md).
MEMBER = Recipient(RecipientKind.MEMBER, "m-1", "王书记")


def _compose(platform, code, key):
    with platform.runtime("notify").uow_factory(code) as uow:
        made = compose(uow, source_kind=SourceKind.EVENT, source_key=key, source_type="test.greeting",
                       data={"name": "王书记"}, recipients=[(Channel.INBOX, MEMBER), (Channel.SMS, MEMBER)],
                       now=utcnow())
        uow.commit()
        return made


def test_an_event_replayed_makes_its_messages_once(platform):
    code = County(platform).code
    first = _compose(platform, code, "ev-1")
    assert {(m.channel, m.status, m.body) for m in first} == {
        (Channel.INBOX, Status.DELIVERED, "王书记同志：你好"), (Channel.SMS, Status.QUEUED, "王书记同志：你好")}
    assert _compose(platform, code, "ev-1") == []
    with platform.runtime("notify").uow_factory(code, write=False) as uow:
        assert uow.messages.get(first[0].id).recipient == MEMBER


def test_racing_consumers_store_one_message_and_neither_fails(platform):
    code = County(platform).code
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: _compose(platform, code, "ev-race"), range(4)))
    assert sorted(len(r) for r in results) == [0, 0, 0, 2]
