"""Error reports to Sentry (when SENTRY_DSN is set), with no personal data in them.

What is sent: the exception, its stack (file, line, function; no local variables), the
request's method and path with link tokens replaced, and the logs leading up to it, which
are written to carry no patient details (clinic/logs.py). Never sent: request bodies,
cookies, headers, query strings, the user, local variables, database query parameters.
"""

from clinic.log_redaction import redact_link_tokens

OFF = {"mode": "off"}


def sentry_options(*, dsn, environment=""):
    # `data_collection` is sentry-sdk's spelling, since 2.7x, of send_default_pii=False
    # (now deprecated), one category at a time: everything that could name someone is off.
    return {
        "dsn": dsn,
        "environment": environment or None,
        "data_collection": {
            "user_info": False,
            "cookies": OFF,
            "http_headers": {"request": OFF},
            "http_bodies": [],
            "url_query_params": OFF,
            "database_query_data": False,
            "queues": False,
            "stack_frame_variables": False,
            "gen_ai": {"inputs": False, "outputs": False},
        },
        "max_request_body_size": "never",
        "traces_sample_rate": 0,
        "before_send": scrub_event,
        "before_breadcrumb": scrub_breadcrumb,
    }


def scrub_event(event, hint):
    request = event.get("request")
    if request:
        url = redact_link_tokens(request.get("url", "")).split("?", 1)[0]
        event["request"] = {"method": request.get("method"), "url": url}
    event.pop("user", None)
    for exception in event.get("exception", {}).get("values", []):
        for frame in exception.get("stacktrace", {}).get("frames", []):
            frame.pop("vars", None)
    for thread in event.get("threads", {}).get("values", []):
        for frame in thread.get("stacktrace", {}).get("frames", []):
            frame.pop("vars", None)
    breadcrumbs = event.get("breadcrumbs", {}).get("values", [])
    event["breadcrumbs"] = {"values": [scrub_breadcrumb(crumb, None) for crumb in breadcrumbs]}
    return event


def scrub_breadcrumb(crumb, hint):
    # A breadcrumb's data holds SQL parameters and HTTP details; its message is a log
    # line or an SQL statement with placeholders.
    crumb.pop("data", None)
    if isinstance(crumb.get("message"), str):
        crumb["message"] = " ".join(redact_link_tokens(word) for word in crumb["message"].split())
    return crumb
