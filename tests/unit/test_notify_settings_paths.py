"""Applying an update mask to the settings document (services/notify/domain/settings.py)."""

from services.notify.domain.settings import apply_paths


def test_a_path_sets_a_field_and_an_unset_one_returns_it_to_the_default():
    doc = {"channels": {"quiet_hours": {"start": "22:00"}, "sms": {"url": "http://a"}}}
    out = apply_paths(doc, {"channels.quiet_hours": None, "channels.rate": 5, "reminders": {"before": ["P1D"]}})
    assert out == {"channels": {"sms": {"url": "http://a"}, "rate": 5}, "reminders": {"before": ["P1D"]}}
    assert doc["channels"]["quiet_hours"] == {"start": "22:00"}  # the stored document is not touched


def test_an_emptied_section_leaves_the_document():
    assert apply_paths({"reminders": {"before": ["P1D"]}}, {"reminders.before": None}) == {}
    assert apply_paths({}, {"calendar.themed_day": None}) == {}
