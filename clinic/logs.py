"""Logs for operators: one JSON object a line, carrying the request id and the user id.

Only the fields named here are written, never a record's other attributes (Django attaches
the whole request to some records). Messages with a path in their arguments ("Not Found:
/intake/start/…") have its link token replaced. Exception messages are left out of the line:
a database error's detail can quote the row it refused, patient details included; the
exception's type and its traceback's frames are enough to find the code, and error
reporting (clinic/error_reporting.py) has the rest.
"""

import contextvars
import datetime
import json
import logging
import traceback

from clinic.log_redaction import redact_link_tokens

request_id_var = contextvars.ContextVar("request_id", default=None)
user_id_var = contextvars.ContextVar("user_id", default=None)

# Attributes a record may carry (from `extra=`) that reach the line.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")


class RequestContextFilter(logging.Filter):
    """Adds the current request's id and user id; redacts link tokens in path arguments."""

    def filter(self, record):
        # django.request logs a response after the middleware has finished with it, but
        # attaches the request.
        request = getattr(record, "request", None)
        if getattr(record, "request_id", None) is None:
            record.request_id = getattr(request, "request_id", None) or request_id_var.get()
        if getattr(record, "user_id", None) is None:
            record.user_id = _user_id(request) or user_id_var.get()
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_link_tokens(arg) if isinstance(arg, str) and arg.startswith("/") else arg
                for arg in record.args
            )
        return True


def _user_id(request):
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


class JsonLinesFormatter(logging.Formatter):
    def format(self, record):
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            "user_id": getattr(record, "user_id", None),
        }
        for field in REQUEST_FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info and record.exc_info[0] is not None:
            error_type, _, tb = record.exc_info
            line["error"] = error_type.__qualname__
            line["traceback"] = "".join(traceback.format_tb(tb))
        return json.dumps(line, default=str)
