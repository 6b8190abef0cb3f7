"""iCalendar text (RFC 5545) for the clinicians' feeds, written directly.

The feed uses a handful of text properties and times in UTC. The icalendar library builds
an object per property and folds every line through generic code: a quarter of a
millisecond an event, over a quarter of a second for a busy clinician's four months. So
the feed is written here, and the tests read every feed back with icalendar to prove
it is valid.
"""

import datetime
from dataclasses import dataclass

MAX_LINE_OCTETS = 75  # RFC 5545 3.1: longer lines are folded


@dataclass(frozen=True)
class Event:
    uid: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    summary: str
    location: str


def calendar(*, prodid, name, events, stamp):
    """The whole feed as bytes, CRLF line ends."""
    stamp = _utc(stamp)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{_text(prodid)}",
        f"X-WR-CALNAME:{_text(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_text(event.uid)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_utc(event.starts_at)}",
            f"DTEND:{_utc(event.ends_at)}",
            f"SUMMARY:{_text(event.summary)}",
            f"LOCATION:{_text(event.location)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return b"".join(_fold(line) + b"\r\n" for line in lines)


def _utc(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value):
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line):
    """At most 75 octets a line, never inside a UTF-8 character; continuations start with
    a space."""
    data = line.encode()
    if len(data) <= MAX_LINE_OCTETS:
        return data
    parts = []
    limit = MAX_LINE_OCTETS
    while len(data) > limit:
        cut = limit
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: back to the character's start
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
        limit = MAX_LINE_OCTETS - 1  # the leading space counts
    parts.append(data)
    return b"\r\n ".join(parts)
