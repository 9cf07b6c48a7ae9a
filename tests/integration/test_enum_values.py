"""An enum number the proto does not define is INVALID_ARGUMENT on every field of every request.

A probe found ListMembers(post_holder=7) answering everyone while other filters refused 7: the
check is the door's (services/common/bounds.py), so this walks the request descriptors rather
than a list of fields someone remembered.
"""

from __future__ import annotations

import grpc
from google.protobuf import message_factory
from google.protobuf.descriptor import FieldDescriptor
from partybuilding.organization.v1 import organization_service_pb2 as pb

from services.common.policy import request_field
from services.organization.entrypoints.policy import POLICY
from tests.helpers import expect

SERVICE = pb.DESCRIPTOR.services_by_name["OrganizationService"]
UNKNOWN = 99


def _enum_paths(message_type, prefix: str = "", seen: frozenset = frozenset()) -> list[str]:
    """Dotted paths of every enum field reachable in `message_type` (each message type once per path)."""
    paths = []
    for fd in message_type.fields:
        if fd.type == FieldDescriptor.TYPE_ENUM:
            paths.append(prefix + fd.name)
        elif (fd.type == FieldDescriptor.TYPE_MESSAGE and not fd.message_type.GetOptions().map_entry
              and fd.message_type.full_name not in seen):
            paths += _enum_paths(fd.message_type, f"{prefix}{fd.name}.", seen | {message_type.full_name})
    return paths


def _with_unknown(method, path: str, county: str):
    """The request naming `county` where it names its tenant, with UNKNOWN at `path`, and the field
    path the answer must name."""
    request = message_factory.GetMessageClass(method.input_type)()
    rule = POLICY[f"/{SERVICE.full_name}/{method.name}"]
    if rule.tenant_field:
        *outer, last = rule.tenant_field.split(".")
        setattr(request_field(request, ".".join(outer)) if outer else request, last, county)
    target, named = request, []
    for part in path.split("."):
        field = target.DESCRIPTOR.fields_by_name[part]
        named.append(part + ("[0]" if field.is_repeated else ""))
        if field.type == FieldDescriptor.TYPE_ENUM:
            if field.is_repeated:
                getattr(target, part).append(UNKNOWN)
            else:
                setattr(target, part, UNKNOWN)
        else:
            target = getattr(target, part).add() if field.is_repeated else getattr(target, part)
    return request, ".".join(named)


def _call(platform, method, request):
    call = getattr(platform.stub, method.name)
    if method.client_streaming:
        return call(iter([request]), metadata=platform.operator())
    if method.server_streaming:
        return list(call(request, metadata=platform.operator()))
    return call(request, metadata=platform.operator())


def test_every_enum_field_of_every_request_refuses_an_unknown_number(platform):
    county = f"tenants/{platform.new_county()}"
    checked = []
    for method in SERVICE.methods:
        for path in _enum_paths(method.input_type):
            request, named = _with_unknown(method, path, county)
            expect(grpc.StatusCode.INVALID_ARGUMENT, _call, platform, method, request, field=named)
            checked.append(f"{method.name}.{path}")
    assert "ListMembers.post_holder" in checked and "CreateUnit.unit.type" in checked
