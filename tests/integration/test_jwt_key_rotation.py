"""Rotating the JWT signing key without downtime: while PB_JWT_PUBLIC_KEY holds the old and the
new public key, tokens of either are served; once the old key is removed, its tokens are refused."""

from __future__ import annotations

import time

import grpc
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from partybuilding.organization.v1 import organization_service_pb2 as pb

from tests.conftest import creds
from tests.helpers import expect
from tests.integration.deployments import serving


def _key_pair() -> tuple[bytes, str]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = private.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return pem, public


def _signed(private_pem: bytes, **claims) -> str:
    return jwt.encode({"tenants": ["*"], "exp": int(time.time()) + 600, **claims}, private_pem, algorithm="RS256")


def _operator(private_pem: bytes) -> list:
    return creds(_signed(private_pem, sub="ops", role="operator"))


def _env(tmp_path, keys: list[str], signing: bytes, name: str) -> dict[str, str]:
    key_file = tmp_path / f"{name}.pem"
    key_file.write_text("\n".join(keys))
    # The services' own account is signed by the new key before the old one goes (docs/operations.md).
    service = _signed(signing, sub="service:any", role="system", scopes=["org.read"])
    return {"PB_VAR_DIR": str(tmp_path / "var"), "PB_GRPC_PORT": "0", "PB_METRICS_PORT": "0",
            "PB_JWT_PUBLIC_KEY": str(key_file), "PB_PAGE_TOKEN_SECRET": "page-tokens-of-this-test-0123456789",
            "PB_SERVICE_TOKEN": service}


def test_both_keys_are_accepted_during_the_rotation_and_the_old_one_not_after(tmp_path):
    old_private, old_public = _key_pair()
    new_private, new_public = _key_pair()
    listing = pb.ListTenantsRequest(page_size=10)
    with serving(_env(tmp_path, [new_public, old_public], new_private, "rotating")) as during:
        for private in (old_private, new_private):
            during.org.ListTenants(listing, metadata=_operator(private))
    with serving(_env(tmp_path, [new_public], new_private, "rotated"), migrate=False) as after:
        after.org.ListTenants(listing, metadata=_operator(new_private))
        expect(grpc.StatusCode.UNAUTHENTICATED, after.org.ListTenants, listing, metadata=_operator(old_private),
               reason="INVALID_TOKEN")
