"""The restore drill of docs/operations.md, for real: every service's schema dumped with pg_dump,
restored into a new database with pg_restore, and the platform serving the restored data."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from partybuilding.assessment.v1 import assessment_schemes_pb2 as apb
from partybuilding.organization.v1 import organization_service_pb2 as pb

from tests.conftest import creds, token
from tests.integration.deployments import fresh_database, pbctl, serving
from tests.integration.round_county import RoundCounty

ROOT = Path(__file__).resolve().parents[2]


def _run(*command: str) -> str:
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_a_backup_restored_into_a_new_database_is_served(platform, tmp_path):
    if platform.backend != "postgres":
        pytest.skip("pg_dump backs up PostgreSQL; embedded SQLite files are copied with sqlite3 .backup")
    county = RoundCounty(platform)
    md = creds(token("county_admin", [county.code]))
    before = (sorted((u.name, u.etag) for u in county.county.units()),
              sorted((m.name, m.id_card_number) for m in county.county.members()))
    backup = _run("scripts/backup-postgres.sh", platform.settings.database_url, str(tmp_path / "backup"))
    assert [line.split(":")[0] for line in backup.splitlines()] == ["assessment", "notify", "organization", "points"]

    with fresh_database() as name:
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
        _run("scripts/restore-postgres.sh", str(tmp_path / "backup"), url)
        env = {"PB_DATABASE_URL": url, "PB_ALLOW_DEV_SECRET": "1", "PB_VAR_DIR": str(tmp_path / "var"),
               "PB_GRPC_PORT": "0", "PB_METRICS_PORT": "0"}
        migrated = pbctl(env, "migrate")  # finds every schema at head already
        assert migrated.exit_code == 0, migrated.output
        with serving(env, migrate=False) as restored:
            units = restored.org.ListUnits(pb.ListUnitsRequest(parent=county.parent, page_size=1000), metadata=md)
            members = restored.org.ListMembers(pb.ListMembersRequest(parent=county.parent, page_size=1000),
                                               metadata=md)
            assert (sorted((u.name, u.etag) for u in units.units),
                    sorted((m.name, m.id_card_number) for m in members.members)) == before
            scheme = restored.assessment.GetScheme(apb.GetSchemeRequest(name=f"{county.parent}/schemes/stars"),
                                                   metadata=md)
            assert scheme.state == apb.Scheme.PUBLISHED
