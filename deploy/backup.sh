#!/usr/bin/env bash
# A dated backup of the clinic's PostgreSQL database, keeping the newest BACKUP_KEEP.
#
#   deploy/backup.sh [DATABASE_URL]
#
# DATABASE_URL: the argument, else the environment (as the app reads it). BACKUP_DIR
# (default /var/backups/clinic) receives clinic-YYYYMMDDTHHMMSSZ.dump in pg_dump's custom
# format (compressed; deploy/restore.sh reads it). A dump is kept only when pg_dump succeeded
# and pg_restore can read its table of contents back; only then are the oldest removed.
# Prints the new file's path. Systemd runs it nightly (deploy/systemd/clinic-backup.timer).
set -euo pipefail

database_url="${1:-${DATABASE_URL:-}}"
if [ -z "$database_url" ]; then
    echo "backup.sh: no database given. Pass its URL, or set DATABASE_URL." >&2
    exit 2
fi
backup_dir="${BACKUP_DIR:-/var/backups/clinic}"
keep="${BACKUP_KEEP:-14}"
if ! [[ "$keep" =~ ^[1-9][0-9]*$ ]]; then
    echo "backup.sh: BACKUP_KEEP must be a whole number of 1 or more, not '$keep'." >&2
    exit 2
fi

umask 077  # dumps hold patient records: readable by their owner only
mkdir -p "$backup_dir"
name="clinic-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$backup_dir/.$name.partial"
trap 'rm -f "$partial"' EXIT

if ! pg_dump --format=custom --no-owner --no-privileges --file="$partial" "$database_url"; then
    echo "backup.sh: pg_dump failed; no backup was written and none was removed." >&2
    exit 1
fi
if ! pg_restore --list "$partial" >/dev/null; then
    echo "backup.sh: the new dump cannot be read back; it was discarded." >&2
    exit 1
fi
mv "$partial" "$backup_dir/$name"

# Rotation: names sort by date; remove all but the newest $keep.
mapfile -t dumps < <(find "$backup_dir" -maxdepth 1 -name 'clinic-*.dump' -printf '%f\n' | sort)
excess=$(( ${#dumps[@]} - keep ))
for (( i = 0; i < excess; i++ )); do
    rm -f -- "$backup_dir/${dumps[$i]}"
done

echo "$backup_dir/$name"
