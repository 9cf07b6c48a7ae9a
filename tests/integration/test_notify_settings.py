"""The county's notify settings resource (GetNotifySettings / UpdateNotifySettings): names,
masks and etags, through gRPC on SQLite and PostgreSQL. Each section's own fields are tested
with the concern that reads them (reminders, calendar, channels)."""

from __future__ import annotations

import grpc
from partybuilding.notify.v1 import notify_service_pb2 as spb
from partybuilding.notify.v1 import notify_settings_pb2 as pb

from tests.helpers import County, expect

BAD = grpc.StatusCode.INVALID_ARGUMENT


def test_a_county_that_never_changed_its_settings_reads_the_defaults(platform):
    county = County(platform)
    platform.notify.ResyncDirectory(spb.ResyncDirectoryRequest(parent=county.parent), metadata=platform.operator())
    found = platform.notify.GetNotifySettings(pb.GetNotifySettingsRequest(name=f"{county.parent}/notifySettings"),
                                              metadata=county.admin)
    assert (found.name, found.etag, found.updated_by) == (f"{county.parent}/notifySettings", '"0"', "")


def test_malformed_names_and_masks_name_the_field(platform):
    county = County(platform)
    expect(BAD, platform.notify.GetNotifySettings, pb.GetNotifySettingsRequest(name=f"{county.parent}/settings"),
           metadata=county.admin, field="name")
    update = lambda paths: platform.notify.UpdateNotifySettings(pb.UpdateNotifySettingsRequest(  # noqa: E731
        settings=pb.NotifySettings(name=f"{county.parent}/notifySettings"), update_mask={"paths": paths}),
        metadata=county.admin)
    expect(BAD, update, [], field="update_mask")
    expect(BAD, update, ["colour"], field="update_mask")


def test_an_unknown_county_is_not_found_and_another_countys_admin_is_refused(platform):
    expect(grpc.StatusCode.NOT_FOUND, platform.notify.GetNotifySettings,
           pb.GetNotifySettingsRequest(name="tenants/610298/notifySettings"), metadata=platform.operator())
    county, other = County(platform), County(platform)
    expect(grpc.StatusCode.PERMISSION_DENIED, platform.notify.GetNotifySettings,
           pb.GetNotifySettingsRequest(name=f"{county.parent}/notifySettings"), metadata=other.admin)
