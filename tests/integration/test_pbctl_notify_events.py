"""`pbctl notify template ...` and `pbctl notify inbox-messages ...` against a running server: a county
previews, refuses and saves its own text, and a clerk reads the message an event made with it."""

from __future__ import annotations

import re

from tests.integration.notify_event_feed import term_expiring
from tests.integration.test_pbctl_notify import cli_world  # noqa: F401  (the fixture: a county, a CLI runner)

EVENT = "organization.post_term_expiring"


def test_a_county_writes_its_own_template_and_a_clerk_reads_what_the_next_event_says(cli_world, tmp_path):  # noqa: F811
    w, run = cli_world
    shown = run(None, "template", "get", EVENT, "--tenant", w.code)
    assert shown.exit_code == 0 and "shipped default" in shown.output and "days_left" in shown.output
    refused = run(None, "template", "put", EVENT, "--tenant", w.code, "--subject", "换届", "--body", "{{ days }}")
    assert refused.exit_code == 2 and "template.body" in refused.output and "days" in refused.output
    body = tmp_path / "body.txt"
    body.write_text("{{ unit_name }}：{{ post_name }}任期{{ term_end_date }}届满，请筹备换届。", encoding="utf-8")
    preview = run(None, "template", "preview", EVENT, "--tenant", w.code, "--body-file", str(body),
                  "--data", "unit_name=东村")
    assert preview.exit_code == 0 and "东村：书记任期2027-01-04届满" in preview.output, preview.output
    saved = run(None, "template", "put", EVENT, "--tenant", w.code, "--subject", "换届提醒", "--body-file", str(body))
    assert saved.exit_code == 0 and 'etag "1"' in saved.output, saved.output
    listed = run(None, "template", "list", "--tenant", w.code, "--event-type", EVENT)
    assert 'own "1"' in listed.output and "SMS" in listed.output
    village = w.villages[0]
    term_expiring(w.p, w.code, village, w.secretaries[0])
    inbox = run(village, "inbox-messages", "list", village.name)
    assert inbox.exit_code == 0 and "1 unread of 1" in inbox.output and "换届提醒" in inbox.output, inbox.output
    message = re.search(r"(tenants/\S+/messages/\S+)", inbox.output)[1]
    opened = run(village, "inbox-messages", "read", message)
    assert opened.exit_code == 0 and "村0：书记任期2027-01-04届满" in opened.output
    assert "0 unread of 1" in run(village, "inbox-messages", "list", village.name).output
    assert run(w.villages[1], "inbox-messages", "read", message).exit_code == 1  # another unit's message
    back = run(None, "template", "delete", EVENT, "--tenant", w.code)
    assert back.exit_code == 0 and "shipped default" in back.output
