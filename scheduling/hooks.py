"""Extension points that other apps fill in from `AppConfig.ready()`.

Scheduling never imports the apps built on it; they register here instead,
as they register their panels with the core.
"""

_session_signed_handlers = []


def register_session_signed(handler):
    """`handler(record=...)` runs after a session record is signed, in the same transaction."""
    _session_signed_handlers.append(handler)
    return handler


def session_signed(*, record):
    for handler in _session_signed_handlers:
        handler(record=record)
