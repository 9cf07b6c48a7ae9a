#!/usr/bin/env bash
# Restore a backup made by scripts/backup-postgres.sh into an empty database.
#   scripts/restore-postgres.sh DIR DATABASE_URL
# The app role pb_app is a role of the cluster, not of the dump: it is created first if missing,
# so the grants and row-level security policies in the dumps apply to it. Each service's schema
# is restored in one transaction (--single-transaction); a failure stops the restore.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 DIR DATABASE_URL" >&2
    exit 2
fi
dir="$1"
url="${2/postgresql+psycopg:/postgresql:}"
if ! ls "$dir"/*.dump >/dev/null 2>&1; then
    echo "no <service>.dump files in $dir" >&2
    exit 1
fi
psql "$url" -v ON_ERROR_STOP=1 -qc "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pb_app') THEN CREATE ROLE pb_app NOLOGIN; END IF;
END \$\$; GRANT pb_app TO CURRENT_USER;"
for dump in "$dir"/*.dump; do
    pg_restore --dbname="$url" --no-owner --exit-on-error --single-transaction "$dump"
    echo "restored $(basename "$dump" .dump)"
done
