"""A county's message templates through gRPC (PutTemplate ... DeleteTemplate), on SQLite and
PostgreSQL: refused whole at save time when wrong, used by the next event, deleted back to the
shipped default."""

from __future__ import annotations

import grpc
import pytest
from partybuilding.notify.v1 import notify_templates_pb2 as tpb

from services.notify.domain import event_templates as et
from services.notify.domain.templates import DEFAULTS
from tests.helpers import County, details, expect, rpc_error

EVENT = et.THRESHOLD_CROSSED


def name(code: str, channel: str = "INBOX", locale: str = "zh-CN", event: str = EVENT) -> str:
    return f"tenants/{code}/templates/{event}.{channel}.{locale}"


def put(platform, c, md=None, **fields):
    fields.setdefault("event_type", EVENT)
    fields.setdefault("channel", "INBOX")
    fields.setdefault("subject", "积分提醒：{{ member_name }}")
    fields.setdefault("body", "{{ member_name }}同志，您{{ year }}年度积分{{ balance }}分。")
    return platform.notify.PutTemplate(tpb.PutTemplateRequest(parent=c.parent, template=tpb.Template(**fields)),
                                       metadata=md or c.admin)


@pytest.fixture
def c(platform):
    return County(platform)


def test_the_shipped_default_answers_until_the_county_puts_its_own_then_again_after_delete(platform, c):
    got = platform.notify.GetTemplate(tpb.GetTemplateRequest(name=name(c.code)), metadata=c.admin)
    assert got.shipped_default and got.body == DEFAULTS[(EVENT, et.INBOX)].body and "member_name" in got.fields
    own = put(platform, c)
    assert not own.shipped_default and own.etag == '"1"' and own.updated_by
    assert platform.notify.GetTemplate(tpb.GetTemplateRequest(name=name(c.code)), metadata=c.admin).body == own.body
    again = put(platform, c, body="{{ member_name }}：{{ balance }}分", etag=own.etag)
    assert again.etag == '"2"'
    expect(grpc.StatusCode.ABORTED, put, platform, c, etag=own.etag, reason="ETAG_MISMATCH")
    back = platform.notify.DeleteTemplate(tpb.DeleteTemplateRequest(name=name(c.code), etag=again.etag),
                                          metadata=c.admin)
    assert back.shipped_default and back.body == got.body


def test_an_unknown_field_is_refused_naming_the_field_and_nothing_is_stored(platform, c):
    err = rpc_error(put, platform, c, subject="{{ members_name }}", body="{{ balance }}{{ points_total }}")
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
    d = details(err)
    assert set(d.fields) == {"template.subject", "template.body"}
    assert "template.subject: names unknown field 'members_name'" in err.details()
    assert "template.body: names unknown field 'points_total'" in err.details()
    assert d.reason == "TEMPLATE_INVALID" and "未知字段" in d.zh
    got = platform.notify.GetTemplate(tpb.GetTemplateRequest(name=name(c.code)), metadata=c.admin)
    assert got.shipped_default


@pytest.mark.parametrize("body, says", [
    ("{{ ''.__class__ }}", "internal attribute"),
    ("{{ member_name|attr('__class__') }}", "sandbox"),
    ("{% if %}", "does not compile"),
    ("{{ 'x' * 100000 }}", "multiply"),
    ("{{ member_name|center(1000000) }}", "exceeds"),
    ("{{ member_name.nope }}", "does not render"),
    ("好" * 2001, "at most 2000"),
    ("积分\u202e提醒", "template.body"),
])
def test_templates_that_would_misbehave_are_refused_at_save_time(platform, c, body, says):
    err = rpc_error(put, platform, c, body=body)
    assert err.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert set(details(err).fields) == {"template.body"} and says in err.details()


def test_bad_identity_fields_and_names_are_refused(platform, c):
    err = rpc_error(put, platform, c, event_type="points.nothing", channel="WEBHOOK", locale="fr-FR")
    assert set(details(err).fields) == {"template.event_type", "template.channel", "template.locale"}
    expect(grpc.StatusCode.INVALID_ARGUMENT, platform.notify.GetTemplate,
           tpb.GetTemplateRequest(name=f"tenants/{c.code}/templates/oops"), metadata=c.admin, field="name")
    # No en-US text is shipped: NOT_FOUND until the county writes one.
    expect(grpc.StatusCode.NOT_FOUND, platform.notify.GetTemplate,
           tpb.GetTemplateRequest(name=name(c.code, locale="en-US")), metadata=c.admin)


def test_an_sms_template_needs_no_subject_and_an_en_us_one_can_be_put(platform, c):
    sms = put(platform, c, channel="SMS", subject="", body="【积分】{{ member_name }} {{ balance }}")
    assert sms.name == name(c.code, "SMS")
    en = put(platform, c, locale="en-US", subject="Points: {{ member_name }}", body="{{ balance }} points")
    assert en.name == name(c.code, locale="en-US")
    # Deleting the en-US one answers the zh-CN template messages fall back to.
    back = platform.notify.DeleteTemplate(tpb.DeleteTemplateRequest(name=en.name), metadata=c.admin)
    assert back.locale == "zh-CN"


def test_list_pages_through_defaults_and_the_countys_own(platform, c):
    put(platform, c)
    seen, token = [], ""
    while True:
        page = platform.notify.ListTemplates(tpb.ListTemplatesRequest(parent=c.parent, page_size=5,
                                                                      page_token=token), metadata=c.admin)
        seen += list(page.templates)
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(DEFAULTS) and [t.name for t in seen] == sorted(t.name for t in seen)
    mine = [t for t in seen if not t.shipped_default]
    assert [t.name for t in mine] == [name(c.code)]
    only = platform.notify.ListTemplates(tpb.ListTemplatesRequest(parent=c.parent, event_type=et.CASE_OPENED),
                                         metadata=c.admin)
    assert {t.channel for t in only.templates} == {"INBOX", "SMS"}


def test_preview_renders_the_sample_the_data_given_or_unsaved_sources(platform, c):
    p = platform.notify.PreviewTemplate
    sample = p(tpb.PreviewTemplateRequest(parent=c.parent, template=tpb.Template(event_type=EVENT)),
               metadata=c.admin)
    assert "王某某" in sample.body and sample.data["balance"] == "5"
    given = p(tpb.PreviewTemplateRequest(parent=c.parent, template=tpb.Template(event_type=EVENT),
                                         data={"member_name": "李四", "balance": "-1"}), metadata=c.admin)
    assert "李四" in given.body and "-1分" in given.body
    draft = p(tpb.PreviewTemplateRequest(parent=c.parent, template=tpb.Template(
        event_type=EVENT, subject="草稿", body="{{ member_name }}！")), metadata=c.admin)
    assert (draft.subject, draft.body) == ("草稿", "王某某！")
    expect(grpc.StatusCode.INVALID_ARGUMENT, p, tpb.PreviewTemplateRequest(
        parent=c.parent, template=tpb.Template(event_type=EVENT), data={"salary": "1"}), metadata=c.admin,
        field="data.salary")
    expect(grpc.StatusCode.INVALID_ARGUMENT, p, tpb.PreviewTemplateRequest(
        parent=c.parent, template=tpb.Template(event_type=EVENT, body="{{ ''.__class__ }}")), metadata=c.admin,
        field="template.body")
