"""pbctl notify settings: a county's reminders, calendar and channels as one YAML document.

`get` prints the effective settings (defaults filled in); `apply FILE.yaml` changes exactly the
sections (or `section.field` paths) the file states, with the etag of the settings it was read
from when the file carries one, so a concurrent change is refused rather than overwritten.
"""

from __future__ import annotations

from pathlib import Path

import click

from services.common.tenancy import tenant_name
from services.pbctl.settings import TARGET, call, channel, fail, token_metadata

SECTIONS = ("reminders", "calendar", "channels")


def _call(target: str, method: str, request, tenant: str):
    from partybuilding.notify.v1 import notify_service_pb2_grpc as pb_grpc

    with channel(target) as opened:
        return call(getattr(pb_grpc.NotifyServiceStub(opened), method), request, token_metadata(tenant))


@click.group("settings")
def settings() -> None:
    """A county's notify settings (reminders, calendar, channels)."""


@settings.command("get")
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@TARGET
def get(tenant: str, target: str) -> None:
    """Print the county's settings as YAML, defaults filled in: `... get > settings.yaml`."""
    import yaml
    from google.protobuf import json_format
    from partybuilding.notify.v1 import notify_settings_pb2 as pb

    found = _call(target, "GetNotifySettings", pb.GetNotifySettingsRequest(name=f"{tenant_name(tenant)}/notifySettings"),
                  tenant)
    doc = json_format.MessageToDict(found, preserving_proto_field_name=True)
    keep = {key: doc[key] for key in ("etag", *SECTIONS) if key in doc}
    click.echo(yaml.safe_dump(keep, allow_unicode=True, sort_keys=False), nl=False)


def read_settings_file(file: str):
    """The NotifySettings a YAML file states and the sections it names; a bad file exits with status 2."""
    import yaml
    from google.protobuf import json_format
    from partybuilding.notify.v1 import notify_settings_pb2 as pb

    try:
        data = yaml.safe_load(Path(file).read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        fail(f"{Path(file).name}: 不是有效的 YAML / not valid YAML: {exc}", 2)
    if not isinstance(data, dict):
        fail(f"{Path(file).name}: 应为键值映射 / must be a mapping of sections", 2)
    unknown = sorted(set(data) - {"etag", *SECTIONS})
    if unknown:
        fail(f"{Path(file).name}: 未知的设置项 / unknown sections: {', '.join(unknown)} (known: {', '.join(SECTIONS)})", 2)
    try:
        message = json_format.ParseDict(data, pb.NotifySettings())
    except json_format.ParseError as exc:
        fail(f"{Path(file).name}: {exc}", 2)
    return message, [key for key in SECTIONS if key in data]


@settings.command("apply")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--tenant", required=True, help="County code, e.g. 610222.")
@TARGET
def apply(file: str, tenant: str, target: str) -> None:
    """Change the sections FILE states (a section left out is not touched)."""
    from partybuilding.notify.v1 import notify_settings_pb2 as pb

    message, paths = read_settings_file(file)
    message.name = f"{tenant_name(tenant)}/notifySettings"
    done = _call(target, "UpdateNotifySettings", pb.UpdateNotifySettingsRequest(
        settings=message, update_mask={"paths": paths}), tenant)
    click.echo(f"updated {', '.join(paths)}; etag {done.etag}")
