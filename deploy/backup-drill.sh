#!/usr/bin/env bash
# `make backup-drill`: proves that a backup made by deploy/backup.sh restores into a
# working app, on scratch databases that it drops at the end, whatever happens.
#
# 1. A demo database: migrate, seed_demo, one reminder scan by the real worker.
# 2. deploy/backup.sh into a temporary folder; deploy/restore.sh into a new database.
# 3. Row counts compared table by table (every table of the schema).
# 4. On the restored copy: `manage.py check`, `migrate --check`, then gunicorn with
#    deploy/gunicorn.conf.py for a moment: /healthz must answer 200, the login page 200.
#
# DRILL_SERVER_URL: the PostgreSQL server (default postgres://postgres@127.0.0.1:5432);
# DRILL_PORT: where the short gunicorn run listens (default 8391, loopback only).
set -euo pipefail
cd "$(dirname "$0")/.."

server="${DRILL_SERVER_URL:-postgres://postgres@127.0.0.1:5432}"
source_db="prod_drill_src"
restored_db="prod_drill_restored"
port="${DRILL_PORT:-8391}"
python=".venv/bin/python"
work="$(mktemp -d)"
server_pid=""
export PGOPTIONS="-c client_min_messages=warning"  # no NOTICE for each dropdb --if-exists

cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
    dropdb --maintenance-db="$server/postgres" --if-exists "$source_db" || true
    dropdb --maintenance-db="$server/postgres" --if-exists "$restored_db" || true
    rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
counts() {
    # One row per table: name and exact row count, read in one query.
    psql --no-psqlrc --quiet --tuples-only --no-align --field-separator=' ' \
        --dbname="$server/$1" --command="
        SELECT table_name,
               (xpath('/row/n/text()', query_to_xml(
                   format('SELECT count(*) AS n FROM %I.%I', table_schema, table_name),
                   false, true, '')))[1]::text
        FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
        ORDER BY table_name"
}

step "A demo database ($source_db)"
dropdb --maintenance-db="$server/postgres" --if-exists "$source_db"
dropdb --maintenance-db="$server/postgres" --if-exists "$restored_db"
createdb --maintenance-db="$server/postgres" "$source_db"
export DATABASE_URL="$server/$source_db"
DEBUG=1 $python manage.py migrate --noinput -v0
DEBUG=1 $python manage.py seed_demo >/dev/null
DEBUG=1 LOG_LEVEL=WARNING EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend \
    $python manage.py reminders_worker --once

step "Backup (deploy/backup.sh)"
dump="$(BACKUP_DIR="$work/backups" deploy/backup.sh "$server/$source_db")"
echo "$dump ($(du -h "$dump" | cut -f1))"

step "Restore into a new database ($restored_db) (deploy/restore.sh)"
createdb --maintenance-db="$server/postgres" "$restored_db"
deploy/restore.sh "$dump" "$server/$restored_db"

step "Row counts, table by table"
counts "$source_db" > "$work/source.txt"
counts "$restored_db" > "$work/restored.txt"
if ! diff -u "$work/source.txt" "$work/restored.txt"; then
    echo "The restored copy differs from the original (above)." >&2
    exit 1
fi
tables=$(wc -l < "$work/source.txt")
rows=$(awk '{ n += $2 } END { print n }' "$work/source.txt")
patients=$(awk '$1 == "clinic_patient" { print $2 }' "$work/source.txt")
if [ "${patients:-0}" -eq 0 ]; then
    echo "The demo database has no patients: the drill compared nothing." >&2
    exit 1
fi
echo "$tables tables, $rows rows ($patients patients): the same in both."

step "The app on the restored copy"
export DATABASE_URL="$server/$restored_db"
export DEBUG=0 SECRET_KEY="drill-$(date +%s%N)" ALLOWED_HOSTS=127.0.0.1 HTTPS=0 STATIC_MANIFEST=0
$python manage.py check --fail-level WARNING
$python manage.py migrate --check --noinput >/dev/null && echo "Every migration is applied."
WEB_CONCURRENCY=1 GUNICORN_BIND="127.0.0.1:$port" GUNICORN_ACCESS_LOG="" \
    .venv/bin/gunicorn -c deploy/gunicorn.conf.py >"$work/gunicorn.log" 2>&1 &
server_pid=$!
for _ in $(seq 60); do
    curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
    sleep 0.5
done
health="$(curl -s -w ' %{http_code}' "http://127.0.0.1:$port/healthz")"
login="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/accounts/login/")"
echo "GET /healthz: $health"
echo "GET /accounts/login/: $login"
if [ "${health##* }" != "200" ] || [ "$login" != "200" ]; then
    echo "The restored copy does not serve. gunicorn said:" >&2
    cat "$work/gunicorn.log" >&2
    exit 1
fi

step "Backup drill passed; the scratch databases are dropped."
