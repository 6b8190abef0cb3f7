#!/usr/bin/env bash
# Restore a dump made by deploy/backup.sh into an empty database.
#
#   deploy/restore.sh DUMP_FILE TARGET_DATABASE_URL
#
# The target must exist and hold no tables (createdb it first, owned by the app's role):
# restore.sh refuses to write over a database in use. The restore runs in one
# transaction: it either completes or leaves the target empty. Afterwards, point the app
# at the target (DATABASE_URL) and run `manage.py migrate` (a no-op for a dump of the same
# release) before starting it; docs/DEPLOY.md, "Restoring".
set -euo pipefail

if [ "$#" -ne 2 ]; then
    echo "Usage: deploy/restore.sh DUMP_FILE TARGET_DATABASE_URL" >&2
    exit 2
fi
dump="$1"
target="$2"
if [ ! -r "$dump" ]; then
    echo "restore.sh: cannot read the dump file '$dump'." >&2
    exit 2
fi
pg_restore --list "$dump" >/dev/null

tables="$(psql --no-psqlrc --quiet --tuples-only --no-align --dbname="$target" \
    --command="SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$tables" != "0" ]; then
    echo "restore.sh: the target database already has $tables tables; nothing was restored." >&2
    echo "Restore into a new, empty database (createdb), then point the app at it." >&2
    exit 1
fi

pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$target" "$dump"
echo "Restored $dump."
