"""Writing the read log (clinic.models.access) from the pages that show patient data."""

import ipaddress

from clinic.models import AccessKind, AccessLogEntry


def log_access(request, kind, *, patient=None, subject=""):
    """One row: who (the logged-in user, if any), what, and from which address."""
    AccessLogEntry.objects.create(
        user=request.user if request.user.is_authenticated else None,
        kind=kind,
        patient=patient,
        subject=subject[:120],
        client_address=_address(request),
    )


def _address(request):
    # REMOTE_ADDR is the client's own once ProxyClientAddressMiddleware has run.
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return None


CSV_HEADER = ["time", "user", "what", "patient MRN", "details", "client address"]


def access_log_rows(entries, zone):
    """CSV rows, oldest first, read in chunks: a year of a network's log is large."""
    rows = (
        entries.order_by("at", "pk")
        .values_list("at", "user__email", "kind", "patient__mrn", "subject", "client_address")
        .iterator(chunk_size=2000)
    )
    labels = dict(AccessKind.choices)
    for at, email, kind, mrn, subject, address in rows:
        yield [
            at.astimezone(zone).isoformat(timespec="seconds"),
            email or "(calendar app)",
            labels.get(kind, kind),
            mrn or "",
            subject,
            address or "",
        ]
