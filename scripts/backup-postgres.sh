#!/usr/bin/env bash
# Back up every service of a PostgreSQL deployment: one pg_dump (custom format) per service schema.
#   scripts/backup-postgres.sh DATABASE_URL DIR
# A service's schema is one that holds its Alembic table alembic_version_<service> (services/common/
# config.py: one database, a schema per service), so a new service is backed up without listing it.
# DIR gets <service>.dump for each and revisions.txt (service, Alembic revision). See docs/operations.md.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 DATABASE_URL DIR" >&2
    exit 2
fi
url="${1/postgresql+psycopg:/postgresql:}"
dir="$2"
mkdir -p "$dir"
umask 077  # the dumps hold sealed personal data and everything else of every county

services=$(psql "$url" -v ON_ERROR_STOP=1 -Atc "
    SELECT n.nspname FROM pg_namespace n
    WHERE EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = n.nspname
                  AND t.tablename = 'alembic_version_' || n.nspname)
    ORDER BY 1")
if [ -z "$services" ]; then
    echo "no service schemas in the database (has it been migrated?)" >&2
    exit 1
fi
: > "$dir/revisions.txt"
for service in $services; do
    pg_dump "$url" --format=custom --schema="$service" --file="$dir/$service.dump"
    revision=$(psql "$url" -Atc "SELECT version_num FROM \"$service\".alembic_version_$service")
    echo "$service $revision" >> "$dir/revisions.txt"
    echo "$service: $dir/$service.dump (revision $revision)"
done
