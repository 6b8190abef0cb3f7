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


_dose_defaults = []
_record_panels = []


def register_dose_defaults(func):
    """`func(record)` returns initial values for the dose form (the lot drawn, say)."""
    _dose_defaults.append(func)
    return func


def dose_defaults(record):
    values = {}
    for func in _dose_defaults:
        values.update(func(record))
    return values


def register_record_panel(func):
    """`func(request, record)` returns a clinic.panels.Panel for the session record page,
    or None when it has nothing to show this user."""
    _record_panels.append(func)
    return func


def record_panels(request, record):
    panels = (func(request, record) for func in _record_panels)
    return sorted((panel for panel in panels if panel), key=lambda panel: panel.order)
