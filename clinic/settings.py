"""Settings for the clinic project, read from the environment.

Every value that differs between a laptop and a clinic's server comes from an
environment variable; the defaults are the safe ones (DEBUG off, HTTPS on).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long "
            "random string (for example the output of `python -c 'import secrets; "
            "print(secrets.token_urlsafe(50))'`), or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-only-used-when-debug-is-on"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",  # its widget templates, for FORM_RENDERER below
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "clinic",
    "intake",
    "scheduling",
    "followups",
    "controlled",
]

MIDDLEWARE = [
    # Before anything reads the client's address or the database (see each module).
    "clinic.middleware.ProxyClientAddressMiddleware",
    "clinic.health.HealthCheckMiddleware",
    "clinic.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files keep their long cache lifetimes.
    "clinic.middleware.NoStoreMiddleware",
    "clinic.middleware.RefuseNulBytesMiddleware",
    # Django's, but a timed refresh (the flow board's) does not count as activity.
    "clinic.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Which device verified this session; then no page but the code step without one.
    "django_otp.middleware.OTPMiddleware",
    "clinic.two_factor.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "clinic.middleware.ClinicTimezoneMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware should be the last middleware.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"
ASGI_APPLICATION = "clinic.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.clinic",
            ],
            "builtins": ["clinic.templatetags.phones"],
        },
    },
]
# Forms render their widgets through TEMPLATES, so templates/django/forms/ can override
# Django's own widget templates (the select widget, see its comment).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# Database: DATABASE_URL, or an SQLite file so that the demo needs nothing installed.
# Production keeps each worker's connection open (gunicorn's sync workers serve one request
# at a time, so one connection per worker is all a pool would give) and checks it before
# reuse, so a restarted database costs one failed check, not an error page.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0" if DEBUG else "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; IMMEDIATE makes each transaction take the write
    # lock at BEGIN, so a read-then-write check cannot interleave with another.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)

# One cache for every worker and every app host. It holds the rate limits, the clinic
# report and the home page's counts (clinic/counts.py). By default a table in the app's own
# database (created by migration clinic 0007), so nothing more has to run; with
# CACHE_URL=redis://host:6379/0, Redis (its counters are atomic under any load).
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL:
    raise ImproperlyConfigured("CACHE_URL must start with redis:// or rediss://.")
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "clinic_cache",
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts: staff log in with their email address.
AUTH_USER_MODEL = "clinic.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "clinic.backends.RoleBackend",  # ModelBackend, one query for permissions
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock an account from one client out after repeated failures, for a cool-off.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "clinic.security.lockout_username"
AXES_RESET_ON_SUCCESS = True
# Tries during a lockout do not restart the cool-off, so nobody can keep an account locked
# by trying again every few minutes.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# What axes keeps of a failed attempt's form: never the password or a second-factor code.
AXES_SENSITIVE_PARAMETERS = [
    "password",
    "code",
    "witness_password",  # a second person's confirmation (controlled substances)
    "witness_code",
    "csrfmiddlewaretoken",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)

# Two-factor login (clinic/two_factor.py): after the password, a code from an authenticator
# app or a recovery code. "optional" is for a deployment with another factor in front of the
# app (SSO, a VPN): staff without a device then log in with their password alone.
STAFF_TWO_FACTOR = os.environ.get("STAFF_TWO_FACTOR", "required").strip().lower()
if STAFF_TWO_FACTOR not in {"required", "optional"}:
    raise ImproperlyConfigured("STAFF_TWO_FACTOR must be required or optional.")


def _totp_issuer(device):
    """The name authenticator apps show above the code: the clinic's own."""
    from clinic.models import Clinic

    return Clinic.load().name


OTP_TOTP_ISSUER = _totp_issuer
# The settings pages never show a device's secret.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Sessions end after 30 minutes without a request.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Security. HTTPS is assumed unless DEBUG is on or HTTPS=0 is set explicitly.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
# Behind a TLS-terminating proxy (deploy/nginx): trust its X-Forwarded-Proto, and take the
# client's address from its X-Forwarded-For (clinic.middleware.ProxyClientAddressMiddleware).
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
# How many proxies in front of the app append to X-Forwarded-For (nginx alone: 1; a load
# balancer in front of nginx: 2). Entries further left are what the client claimed.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "1"))
if TRUSTED_PROXIES < 1:
    raise ImproperlyConfigured("TRUSTED_PROXIES must be 1 or more (the proxies in front).")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    # Bootstrap draws form controls' icons with data: SVGs.
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Time: stored in UTC, shown in the clinic's zone.
# The app is written in plain US English and translates nothing. With translation on,
# every date shown and every link drawn asks for the active language through a
# thread-local lookup: a quarter of the time of a page of a hundred appointments.
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "America/Los_Angeles")
USE_I18N = False
USE_TZ = True

# Static files are served by the app itself (no CDN).
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", not DEBUG)
# Without a collected manifest (development, tests) serve straight from the sources.
WHITENOISE_AUTOREFRESH = not STATIC_MANIFEST
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Email: the console in development, SMTP otherwise (Django 6.1 mailers).
EMAIL_BACKEND_PATH = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_smtp_options = {
    "host": os.environ.get("EMAIL_HOST", "localhost"),
    "port": int(os.environ.get("EMAIL_PORT", "25")),
    "username": os.environ.get("EMAIL_HOST_USER", ""),
    "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", False),
    "use_ssl": env_bool("EMAIL_USE_SSL", False),
    "timeout": 20,
}
if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    _mailer_options = _smtp_options
elif os.environ.get("EMAIL_FILE_PATH"):
    # The file backend (make scaleout-check, tests): one file an email, in this folder.
    _mailer_options = {"file_path": os.environ["EMAIL_FILE_PATH"]}
else:
    _mailer_options = {}
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _mailer_options}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clinic@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The address links in emails sent by the worker start with (there is no request to ask).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# How often the background worker (manage.py reminders_worker) scans for due reminders.
REMINDER_SCAN_MINUTES = int(os.environ.get("REMINDER_SCAN_MINUTES", "5"))
# How often an open flow board fetches its rows again (tests shorten it).
FLOW_BOARD_REFRESH_SECONDS = int(os.environ.get("FLOW_BOARD_REFRESH_SECONDS", "20"))

# `make bench` only: routes a bare page to measure real pages against (benchmarks/pages.py).
BENCH_BASELINE = env_bool("BENCH_BASELINE", False)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Audit trail: keep who changed what, without storing a history of passwords.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Logs: one JSON object a line on stdout (clinic/logs.py), plain text with DEBUG=1.
# Every line passes through the request filter: request id, user id, no link tokens.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "clinic.logs.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "clinic.logs.JsonLinesFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Request bodies and form data never reach the logs; only paths, which carry no
        # patient details in this app, and whose link tokens the filter replaces.
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# Error reporting to Sentry, only when SENTRY_DSN is set; personal data is scrubbed before
# anything is sent (clinic/error_reporting.py).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk

    from clinic.error_reporting import sentry_options

    sentry_sdk.init(
        **sentry_options(dsn=SENTRY_DSN, environment=os.environ.get("SENTRY_ENVIRONMENT", ""))
    )
