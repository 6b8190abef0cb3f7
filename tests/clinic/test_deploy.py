"""The files in deploy/: the gunicorn settings, its access log, make serve, nginx, systemd."""

import datetime
import json
import os
import re
import runpy
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse
from gunicorn.config import Config

from clinic.gunicorn_logger import RedactingLogger
from clinic.log_redaction import redact_link_tokens
from tests.urls import named_url_patterns

PROJECT = Path(__file__).resolve().parents[2]
DEPLOY = PROJECT / "deploy"
TOKEN = "Secret-Link-Token_0123456789abcdef"


def gunicorn_config(monkeypatch, **environment):
    for name in ("WEB_CONCURRENCY", "GUNICORN_BIND", "GUNICORN_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    config = Config()
    for name, value in settings.items():
        if name in config.settings:
            config.set(name, value)
    return config, settings


def test_every_name_in_the_gunicorn_file_is_a_gunicorn_setting(monkeypatch):
    config, settings = gunicorn_config(monkeypatch)
    names = {n for n, v in settings.items() if not n.startswith("_") and not callable(v)}
    names -= {"os"}

    assert names - set(config.settings) == set()


def test_gunicorn_runs_two_workers_a_core_plus_one_unless_told(monkeypatch):
    config, _ = gunicorn_config(monkeypatch)
    assert config.workers == 2 * os.process_cpu_count() + 1

    config, _ = gunicorn_config(monkeypatch, WEB_CONCURRENCY="3")
    assert config.workers == 3


def test_gunicorn_restarts_workers_gracefully_and_at_different_times(monkeypatch):
    config, _ = gunicorn_config(monkeypatch)

    assert config.max_requests == 1000
    assert config.max_requests_jitter == 100
    assert config.graceful_timeout == 30
    assert config.timeout == 30
    assert not config.preload_app  # HUP loads the new code
    assert config.logger_class is RedactingLogger


@pytest.mark.django_db
def test_the_access_log_line_has_no_token(monkeypatch, capsys):
    config, _ = gunicorn_config(monkeypatch)
    logger = RedactingLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/intake/start/{TOKEN}/",
        "PATH_INFO": f"/intake/start/{TOKEN}/",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://clinic.example.org/follow-ups/q/{TOKEN}/",
    }
    response = SimpleNamespace(
        status="302 Found", headers=[("X-Request-ID", "abc123def456")], sent=0
    )

    logger.access(response, SimpleNamespace(headers=[]), environ, datetime.timedelta(seconds=0.25))

    output = capsys.readouterr().out
    assert TOKEN not in output
    line = json.loads(output)
    assert line["message"].startswith('"GET /intake/start/<token>/ HTTP/1.1" 302')
    assert line["request_id"] == "abc123def456"
    assert line["path"] == "/intake/start/<token>/"
    assert line["duration_ms"] == 250.0


def test_make_serve_refuses_to_start_without_a_secret_key():
    environment = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "MAKEFLAGS"}}

    result = subprocess.run(
        ["make", "-s", "serve"],  # noqa: S607 - make from the PATH, as the README says
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0
    assert "make serve did not start: SECRET_KEY is not set." in result.stdout
    assert "collectstatic" not in result.stdout + result.stderr


def nginx_log_map():
    """The access log's token map of deploy/nginx/clinic.conf, as (regex, replacement)."""
    text = (DEPLOY / "nginx" / "clinic.conf").read_text()
    block = re.search(r"map \$request_uri \$clinic_loggable_uri \{(.*?)\}", text, re.S)[1]
    entries = re.findall(r'"~(.+?)"\s+"(.+?)";', block)
    return [(re.compile(regex), value) for regex, value in entries]


def nginx_loggable(request_uri):
    for regex, value in nginx_log_map():
        match = regex.match(request_uri)
        if match:
            return re.sub(r"\$(\d)", lambda m, groups=match: groups[int(m[1])], value)
    return request_uri


def token_link_paths():
    for name, pattern in named_url_patterns():
        if "token" in pattern.pattern.regex.groupindex:
            kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, "MQ") | {"token": TOKEN}
            yield reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("suffix", ["", "?from=email", "extra/"])
def test_nginx_logs_every_link_as_the_app_does(suffix):
    paths = list(token_link_paths())
    assert len(paths) == 5

    for path in paths:
        uri = path + suffix

        assert TOKEN not in nginx_loggable(uri), uri
        assert nginx_loggable(uri) == redact_link_tokens(uri), uri


@pytest.mark.parametrize(
    "uri", ["/intake/start/abc", "/scheduling/feeds/abc", "/patients/12/", "/static/app.css"]
)
def test_nginx_and_the_app_agree_on_paths_that_only_look_like_links(uri):
    assert nginx_loggable(uri) == redact_link_tokens(uri)


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_the_nginx_site_parses():
    result = subprocess.run(  # noqa: S603 - a script of this repository
        [str(DEPLOY / "check-nginx.sh")], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is missing")
def test_the_systemd_units_are_valid(tmp_path):
    for unit in (DEPLOY / "systemd").iterdir():
        text = unit.read_text().replace("/srv/clinic/app", str(PROJECT))
        (tmp_path / unit.name).write_text(text)

    result = subprocess.run(  # noqa: S603 - fixed arguments and this repository's units
        ["systemd-analyze", "verify", *sorted(str(p) for p in tmp_path.iterdir())],  # noqa: S607
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
