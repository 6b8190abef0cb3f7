#!/usr/bin/env bash
# `make check-nginx`: nginx -t on deploy/nginx/clinic.conf, inside a throwaway nginx.conf
# (its own prefix, pid and logs, a self-signed certificate), so nothing of the system's
# nginx is read, written or started.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v nginx >/dev/null || { echo "nginx is missing: apt-get install -y nginx"; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/logs" "$work/static"

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=clinic.example.org" \
    -keyout "$work/privkey.pem" -out "$work/fullchain.pem" 2>/dev/null

sed -e "s|/etc/letsencrypt/live/clinic.example.org/|$work/|" \
    -e "s|/var/log/nginx/|$work/logs/|" \
    -e "s|/srv/clinic/app/staticfiles/|$work/static/|" \
    deploy/nginx/clinic.conf > "$work/clinic.conf"

mime_types=""
[ -f /etc/nginx/mime.types ] && mime_types="include /etc/nginx/mime.types;"
cat > "$work/nginx.conf" <<CONF
pid $work/nginx.pid;
error_log $work/logs/error.log;
events {}
http {
    $mime_types
    access_log $work/logs/access.log;
    include $work/clinic.conf;
}
CONF

nginx -t -q -p "$work" -c "$work/nginx.conf"
echo "deploy/nginx/clinic.conf: nginx $(nginx -v 2>&1 | sed 's|.*/||') accepts it."
