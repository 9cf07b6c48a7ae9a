"""The directory client's service account and target, from settings."""

from __future__ import annotations

import jwt
import pytest

from services.common.config import DEV_JWT_SECRET, ConfigError, Settings
from services.common.directory.client import OrganizationClient, OrganizationTarget, service_token
from services.common.errors import Unavailable


def test_a_dev_platform_mints_the_service_account_token():
    claims = jwt.decode(service_token(Settings.from_env({}), "points"), DEV_JWT_SECRET, algorithms=["HS256"])
    assert (claims["sub"], claims["role"], claims["tenants"], claims["scopes"]) == (
        "service:points", "system", ["*"], ["org.read"])


def test_a_configured_token_is_used_as_it_is():
    assert service_token(Settings.from_env({"PB_SERVICE_TOKEN": "abc.def.ghi"}), "points") == "abc.def.ghi"


def test_production_without_a_service_token_says_what_to_set():
    settings = Settings.from_env({"PB_DATABASE_URL": "postgresql://u@h/db", "PB_JWT_SECRET": "s" * 32,
                                  "PB_PAGE_TOKEN_SECRET": "p" * 32, "PB_ALLOW_DEV_SECRET": "1"})
    with pytest.raises(ConfigError, match="PB_SERVICE_TOKEN"):
        OrganizationClient.for_service(settings, "points")


def test_the_target_is_the_configured_one_or_this_process_own_port():
    assert OrganizationTarget(Settings.from_env({"PB_ORGANIZATION_TARGET": "org.internal:50051"}))() == "org.internal:50051"
    assert OrganizationTarget(Settings.from_env({"PB_GRPC_PORT": "50061"}))() == "127.0.0.1:50061"


def test_with_port_zero_the_target_is_known_once_the_server_is_bound():
    target = OrganizationTarget(Settings.from_env({"PB_GRPC_PORT": "0"}))
    with pytest.raises(Unavailable, match="not bound"):
        target()
    target.bind(43117)
    assert target() == "127.0.0.1:43117"


@pytest.mark.parametrize("value", ["50051", "org:", "org:port", "org :50051", "org:70000"])
def test_a_malformed_organization_target_is_refused_at_start(value):
    with pytest.raises(ConfigError, match="PB_ORGANIZATION_TARGET"):
        Settings.from_env({"PB_ORGANIZATION_TARGET": value})
