"""Configuration from the environment, typed and checked once at start with a clear message."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

DEV_JWT_SECRET = "partybuilding-dev-secret-change-me"
DEV_PAGE_TOKEN_SECRET = "partybuilding-dev-page-tokens-change-me"
PAGE_TOKEN_SECRET_MIN = 32
# Seals personal data in embedded/dev mode only; production refuses it like the JWT dev secret.
DEV_DATA_KEY = hashlib.sha256(b"partybuilding-dev-data-key-change-me").digest()


class ConfigError(Exception):
    """A setting is missing or malformed; the message says which and how to fix it."""


def _int(env: dict[str, str], key: str, default: int, lo: int = 0, hi: int = 65535) -> int:
    raw = env.get(key)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{key}={raw!r}: 应为整数 / must be an integer") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{key}={value}: 应在 {lo}..{hi} 之间 / must be within {lo}..{hi}")
    return value


def _page_token_secret(env: dict[str, str], jwt_secret: str | None, dev_allowed: bool) -> str:
    """Its own secret: page tokens must not be sealed with a key anyone else holds (an RS256 public key)."""
    page = env.get("PB_PAGE_TOKEN_SECRET") or None
    if page is None:
        if not dev_allowed:
            raise ConfigError(
                "PB_PAGE_TOKEN_SECRET 未设置 / set PB_PAGE_TOKEN_SECRET (a random string of at least "
                f"{PAGE_TOKEN_SECRET_MIN} characters that seals page tokens; PB_ALLOW_DEV_SECRET=1 allows the built-in one)"
            )
        return DEV_PAGE_TOKEN_SECRET
    if len(page) < PAGE_TOKEN_SECRET_MIN:
        raise ConfigError(f"PB_PAGE_TOKEN_SECRET: 至少{PAGE_TOKEN_SECRET_MIN}个字符 / must be at least "
                          f"{PAGE_TOKEN_SECRET_MIN} characters")
    if page == jwt_secret:
        raise ConfigError("PB_PAGE_TOKEN_SECRET: 不能与 PB_JWT_SECRET 相同 / must differ from PB_JWT_SECRET")
    return page


@dataclass(frozen=True)
class Settings:
    """Everything a process reads from its environment."""

    database_url: str | None  # None: embedded SQLite files under var_dir
    amqp_uri: str | None  # None: embedded in-process event bus
    jwt_secret: str | None
    jwt_public_key: str | None
    grpc_port: int
    metrics_port: int
    var_dir: Path
    page_token_secret: str
    relay_retention_hours: int
    log_level: str
    data_key: bytes  # PB_DATA_KEY: seals ID numbers, phones and birth dates at rest
    # PB_SERVICE_TOKEN: the bearer token a consuming service calls the organization with
    # (sub service:<svc>, scope org.read); None: minted from the dev secret where it is allowed.
    service_token: str | None = None
    # PB_ORGANIZATION_TARGET: host:port of the organization's gRPC server, or a list of them
    # (`ipv4:10.0.0.1:50051,10.0.0.2:50051`, `dns:///organization:50051`) called round robin;
    # None: this process's own.
    organization_target: str | None = None
    # PB_GRPC_PROCESSES: gRPC server processes sharing the port (SO_REUSEPORT), each with its own
    # engines and pools (docs/scaling.md); PostgreSQL only.
    grpc_processes: int = 1

    @property
    def embedded(self) -> bool:
        return self.database_url is None

    def database_url_for(self, service: str) -> str:
        """Embedded: one SQLite file per service. PostgreSQL: one database, a schema per service."""
        if self.database_url is None:
            return f"sqlite:///{self.var_dir / (service + '.sqlite3')}"
        return self.database_url

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        db = env.get("PB_DATABASE_URL") or None
        if db is not None and not db.startswith(("postgresql", "sqlite")):
            raise ConfigError(
                f"PB_DATABASE_URL={db!r}: 仅支持 postgresql+psycopg:// 或 sqlite:// / "
                "only postgresql+psycopg:// or sqlite:// URLs are supported"
            )
        if db is not None and db.startswith("postgresql://"):
            db = "postgresql+psycopg://" + db[len("postgresql://"):]
        amqp = env.get("PB_AMQP_URI") or None
        if amqp is not None and not amqp.startswith(("amqp://", "amqps://")):
            raise ConfigError(f"PB_AMQP_URI={amqp!r}: 应以 amqp:// 开头 / must start with amqp://")
        secret = env.get("PB_JWT_SECRET") or None
        public_key = env.get("PB_JWT_PUBLIC_KEY") or None
        if public_key and Path(public_key).is_file():
            public_key = Path(public_key).read_text()
        if public_key and not split_public_keys(public_key):
            raise ConfigError("PB_JWT_PUBLIC_KEY: 应为一个或多个 PEM 公钥或其文件路径 / must be one or more PEM public "
                              "keys (during a rotation: the new and the old, one after the other) or a path to them")
        # Production wiring (PostgreSQL) refuses the built-in dev secrets unless told otherwise.
        dev_allowed = db is None or not db.startswith("postgresql") or env.get("PB_ALLOW_DEV_SECRET") == "1"
        if secret is None and public_key is None:
            if not dev_allowed:
                raise ConfigError(
                    "PB_JWT_SECRET 或 PB_JWT_PUBLIC_KEY 未设置 / set PB_JWT_SECRET or PB_JWT_PUBLIC_KEY "
                    "(production wiring refuses the built-in dev secret; PB_ALLOW_DEV_SECRET=1 allows it)"
                )
            secret = DEV_JWT_SECRET
        data_key = _data_key(env, production=db is not None and db.startswith("postgresql"))
        level = env.get("PB_LOG_LEVEL", "INFO").upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ConfigError(f"PB_LOG_LEVEL={level!r}: 应为 DEBUG/INFO/WARNING/ERROR / must be one of DEBUG, INFO, WARNING, ERROR")
        return cls(
            database_url=db,
            amqp_uri=amqp,
            jwt_secret=secret,
            jwt_public_key=public_key,
            grpc_port=_int(env, "PB_GRPC_PORT", 50051),
            metrics_port=_int(env, "PB_METRICS_PORT", 9100),
            var_dir=Path(env.get("PB_VAR_DIR", "var")).resolve(),
            page_token_secret=_page_token_secret(env, secret, dev_allowed),
            relay_retention_hours=_int(env, "PB_RELAY_RETENTION_HOURS", 72, 0, 24 * 365),
            log_level=level,
            data_key=data_key,
            service_token=env.get("PB_SERVICE_TOKEN") or None,
            organization_target=_target(env, "PB_ORGANIZATION_TARGET"),
            grpc_processes=_processes(env, db),
        )


def _processes(env: dict[str, str], db: str | None) -> int:
    count = _int(env, "PB_GRPC_PROCESSES", 1, 1, 64)
    if count > 1 and (db is None or not db.startswith("postgresql")):
        raise ConfigError(
            f"PB_GRPC_PROCESSES={count}: 多个服务进程需要 PostgreSQL（PB_DATABASE_URL）/ more than one server process "
            "needs PostgreSQL (PB_DATABASE_URL): the embedded SQLite files take one writer at a time, so `make run` "
            "serves in one process")
    return count


_PEM_PUBLIC_KEY = re.compile(r"-----BEGIN PUBLIC KEY-----[A-Za-z0-9+/=\s]+?-----END PUBLIC KEY-----")


def split_public_keys(text: str) -> list[str]:
    """The PEM public keys in `text`, in order; [] when anything else is there besides whitespace.

    Several keys are how JWT keys rotate without downtime (docs/operations.md): a token signed by
    any of them is accepted.
    """
    keys = _PEM_PUBLIC_KEY.findall(text)
    return keys if keys and not _PEM_PUBLIC_KEY.sub("", text).strip() else []


def _target(env: dict[str, str], key: str) -> str | None:
    raw = env.get(key) or None
    if raw is not None:
        host, _, port = raw.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) <= 65535 or any(c.isspace() for c in raw):
            raise ConfigError(f"{key}={raw!r}: 应为 主机:端口 / must be host:port, e.g. organization:50051")
    return raw


def _data_key(env: dict[str, str], production: bool) -> bytes:
    raw = env.get("PB_DATA_KEY") or ""
    if not raw:
        if production and env.get("PB_ALLOW_DEV_SECRET") != "1":
            raise ConfigError(
                "PB_DATA_KEY 未设置 / set PB_DATA_KEY: 32 random bytes in base64, e.g. "
                "`openssl rand -base64 32` (production refuses the built-in dev key; "
                "PB_ALLOW_DEV_SECRET=1 allows it)"
            )
        return DEV_DATA_KEY
    try:
        key = base64.b64decode(raw, validate=True)
    except binascii.Error:
        key = b""
    if len(key) != 32:
        raise ConfigError("PB_DATA_KEY: 应为32字节密钥的 base64 / must be 32 bytes in base64 (openssl rand -base64 32)")
    return key
