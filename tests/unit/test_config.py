"""Configuration: checked once at start, with a message that says what to fix."""

from __future__ import annotations

import base64

import pytest

from services.common.config import DEV_JWT_SECRET, ConfigError, Settings

KEY = base64.b64encode(bytes(range(32))).decode()

def settings(**env) -> Settings:
    return Settings.from_env(env)


def error(**env) -> str:
    with pytest.raises(ConfigError) as info:
        Settings.from_env(env)
    return str(info.value)


def test_embedded_defaults(tmp_path):
    s = settings(PB_VAR_DIR=str(tmp_path))
    assert s.embedded and s.jwt_secret == DEV_JWT_SECRET and s.grpc_port == 50051
    assert s.database_url_for("organization") == f"sqlite:///{tmp_path / 'organization.sqlite3'}"


def test_postgres_url_is_normalised():
    s = settings(PB_DATABASE_URL="postgresql://u@h/db", PB_JWT_SECRET="x" * 32, PB_PAGE_TOKEN_SECRET="p" * 32,
                 PB_DATA_KEY=KEY)
    assert s.database_url == "postgresql+psycopg://u@h/db" and not s.embedded
    assert s.data_key == base64.b64decode(KEY)


@pytest.mark.parametrize("env,mentions", [
    ({"PB_DATABASE_URL": "mysql://u@h/db"}, "PB_DATABASE_URL"),
    ({"PB_DATABASE_URL": "localhost:5432"}, "PB_DATABASE_URL"),
    ({"PB_AMQP_URI": "http://rabbit"}, "PB_AMQP_URI"),
    ({"PB_GRPC_PORT": "fifty"}, "PB_GRPC_PORT"),
    ({"PB_GRPC_PORT": "70000"}, "PB_GRPC_PORT"),
    ({"PB_METRICS_PORT": "-1"}, "PB_METRICS_PORT"),
    ({"PB_LOG_LEVEL": "LOUD"}, "PB_LOG_LEVEL"),
    ({"PB_JWT_PUBLIC_KEY": "not a key"}, "PB_JWT_PUBLIC_KEY"),
    # Two keys during a rotation, but something else between them: refused, not half-read.
    ({"PB_JWT_PUBLIC_KEY": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\nnew:\n"
                           "-----BEGIN PUBLIC KEY-----\nBBBB\n-----END PUBLIC KEY-----"}, "PB_JWT_PUBLIC_KEY"),
    ({"PB_DATABASE_URL": "postgresql://u@h/db"}, "PB_JWT_SECRET"),
    ({"PB_DATABASE_URL": "postgresql://u@h/db", "PB_JWT_SECRET": "x" * 32, "PB_DATA_KEY": KEY},
     "PB_PAGE_TOKEN_SECRET"),
    ({"PB_DATABASE_URL": "postgresql://u@h/db", "PB_JWT_SECRET": "x" * 32, "PB_DATA_KEY": KEY,
      "PB_PAGE_TOKEN_SECRET": "short"},
     "PB_PAGE_TOKEN_SECRET"),
    ({"PB_JWT_SECRET": "x" * 32, "PB_PAGE_TOKEN_SECRET": "x" * 32}, "PB_PAGE_TOKEN_SECRET"),
    ({"PB_DATABASE_URL": "postgresql://u@h/db", "PB_JWT_SECRET": "x" * 32, "PB_PAGE_TOKEN_SECRET": "p" * 32},
     "PB_DATA_KEY"),
    ({"PB_DATA_KEY": "c2hvcnQ="}, "PB_DATA_KEY"),
    ({"PB_DATA_KEY": "not base64!"}, "PB_DATA_KEY"),
])
def test_bad_settings_name_the_variable(env, mentions):
    message = error(**env)
    assert mentions in message
    assert "/" in message  # Chinese and English halves


def test_dev_secret_in_production_needs_explicit_consent():
    s = settings(PB_DATABASE_URL="postgresql://u@h/db", PB_ALLOW_DEV_SECRET="1")
    assert s.jwt_secret == DEV_JWT_SECRET


def test_public_key_from_file(tmp_path):
    key = tmp_path / "pub.pem"
    key.write_text("-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----\n")
    assert "BEGIN PUBLIC KEY" in settings(PB_JWT_PUBLIC_KEY=str(key)).jwt_public_key


def test_page_tokens_have_their_own_secret():
    rs256 = settings(PB_JWT_PUBLIC_KEY="-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
    assert rs256.page_token_secret not in (rs256.jwt_public_key, rs256.jwt_secret)
    prod = settings(PB_DATABASE_URL="postgresql://u@h/db", PB_JWT_SECRET="x" * 32, PB_PAGE_TOKEN_SECRET="p" * 32,
                    PB_DATA_KEY=KEY)
    assert prod.page_token_secret == "p" * 32


def test_more_than_one_server_process_needs_postgresql():
    assert settings().grpc_processes == 1
    assert "PostgreSQL" in error(PB_GRPC_PROCESSES="2")
    assert "PostgreSQL" in error(PB_GRPC_PROCESSES="2", PB_DATABASE_URL="sqlite:///x.sqlite3")
    assert settings(PB_GRPC_PROCESSES="2", PB_DATABASE_URL="postgresql://u@h/db", PB_ALLOW_DEV_SECRET="1").grpc_processes == 2
    assert "1..64" in error(PB_GRPC_PROCESSES="0")
