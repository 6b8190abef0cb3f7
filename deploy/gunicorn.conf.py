"""gunicorn for the clinic app: `gunicorn -c deploy/gunicorn.conf.py` (make serve, systemd).

Each setting can be changed from the environment without editing this file; docs/DEPLOY.md
lists them. Sync workers: every request is short and holds one database connection
(CONN_MAX_AGE), so a worker is a process with its own connection, and the number of
workers is how many requests are served at once.
"""

import os
from pathlib import Path

wsgi_app = "clinic.wsgi:application"
chdir = str(Path(__file__).resolve().parent.parent)

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# gunicorn's own advice: two workers a core, plus one, so one is always ready while the
# others wait on the database. WEB_CONCURRENCY overrides it.
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.process_cpu_count() or 1) + 1)
worker_class = "sync"

# A worker silent for this long is killed and replaced (the slowest page takes well under
# a second on the benchmark's data, docs/BENCHMARKS.md).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# On a restart (HUP, TERM) a worker finishes the request it is serving first.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Behind nginx, which opens one connection per request to this server.
keepalive = 2
# Each worker is replaced after about this many requests, so a slow leak cannot grow;
# the jitter keeps the workers from restarting all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10

# The code is loaded by each worker, not by the master, so `kill -HUP` on the master
# starts workers on the new code and lets the old ones finish their requests.
preload_app = False

# JSON lines: the access log on stdout (link tokens replaced), gunicorn's messages on stderr.
logger_class = "clinic.gunicorn_logger.RedactingLogger"
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
access_log_format = '"%(r)s" %(s)s %(b)s bytes %(M)s ms'
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

proc_name = "clinic"
# Restarts go through signals (systemctl reload sends HUP); no control socket in $HOME.
control_socket_disable = True
