import contextlib
import ipaddress
import logging
import re
import time
import uuid
from functools import wraps

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.exceptions import BadRequest
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers

from clinic.log_redaction import redact_link_tokens
from clinic.logs import request_id_var, user_id_var
from clinic.models import Clinic

request_logger = logging.getLogger("clinic.request")
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class ProxyClientAddressMiddleware:
    """Behind the TLS proxy (BEHIND_PROXY=1), the client is the X-Forwarded-For entry that
    the outermost trusted proxy wrote: the last one with one proxy, the one before it with
    two (TRUSTED_PROXIES).

    Anything further left is what the client claimed. Rate limits and the login lockout
    count per address, so without this every client would share the proxy's. A header with
    fewer entries than proxies did not come through all of them and is not trusted.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.BEHIND_PROXY:
            entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if len(entries) >= settings.TRUSTED_PROXIES:
                address = entries[-settings.TRUSTED_PROXIES].strip()
                with contextlib.suppress(ValueError):
                    request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(address))
        return self.get_response(request)


class RequestLogMiddleware:
    """Gives each request an id (X-Request-ID) and logs one line when it is answered.

    An incoming X-Request-ID (set by the proxy) is kept when it is a short plain token, so
    the proxy's log and ours can be joined; anything else is replaced by a fresh id.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        request_id_token = request_id_var.set(request_id)
        user_id_token = user_id_var.set(None)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            user = getattr(request, "user", None)
            path = redact_link_tokens(request.path)
            request_logger.info(
                "%s %s %s",
                request.method,
                path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                },
            )
            return response
        finally:
            user_id_var.reset(user_id_token)
            request_id_var.reset(request_id_token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # The user is known once the authentication middleware has run: lines the view
        # logs carry it too.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_id_var.set(user.pk)


class ClinicTimezoneMiddleware:
    """Show every time in the clinic's own zone, whoever is looking."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with Clinic.for_request() as clinic, timezone.override(clinic.zone):
            request.clinic = clinic
            return self.get_response(request)


class RefuseNulBytesMiddleware:
    """Answer 400 to a NUL byte anywhere in the address, the query string or a form field.

    No one types one; PostgreSQL cannot store one, so letting it through turns a prank
    into a server error on whichever page first hands it to the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or _has_nul(request.GET) or _has_nul(request.POST):
            raise BadRequest("A NUL byte in the request.")
        return self.get_response(request)


def _has_nul(data):
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in data.lists()
    )


class NoStoreMiddleware:
    """Tell browsers and proxies to keep no copy of any page the app draws.

    Patient pages, link pages and exports must not be reopened from a shared computer's
    cache or history after the session ends. Static files are served (and cached) by
    WhiteNoise before this runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


def not_activity(view):
    """A page fetched by a script on a timer (the flow board's rows), not by the person.

    Such a request does not push back the idle timeout: an unattended screen is logged out
    after SESSION_COOKIE_AGE like any other (the script then reloads to the login page).
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.not_activity = True
        return view(request, *args, **kwargs)

    return wrapper


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, except that requests marked @not_activity leave the session as it was."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if getattr(request, "not_activity", False) and session is not None and not session.modified:
            patch_vary_headers(response, ("Cookie",))
            return response
        return super().process_response(request, response)
