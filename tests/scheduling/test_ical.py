"""The calendar feed's text is valid iCalendar: read back by the icalendar library."""

import datetime

import icalendar

from scheduling import ical

START = datetime.datetime(2026, 12, 1, 17, 30, tzinfo=datetime.UTC)


def feed(**event):
    fields = {
        "uid": "appointment-1@clinic.example",
        "starts_at": START,
        "ends_at": START + datetime.timedelta(hours=2),
        "summary": "AM 80801102",
        "location": "Chair 1",
    } | event
    body = ical.calendar(
        prodid="-//Ketamine clinic//Scheduling//EN",
        name="Sessions: Bay Clinic",
        events=[ical.Event(**fields)],
        stamp=START,
    )
    return body, icalendar.Calendar.from_ical(body)


def test_an_event_reads_back_with_its_times_in_utc():
    _, calendar = feed()

    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == START
    assert event.decoded("dtend") == START + datetime.timedelta(hours=2)
    assert str(event["summary"]) == "AM 80801102"
    assert str(calendar["x-wr-calname"]) == "Sessions: Bay Clinic"


def test_commas_semicolons_backslashes_and_newlines_are_escaped():
    _, calendar = feed(location="Room 2, east; by the \\ window\nupstairs")

    [event] = calendar.walk("VEVENT")
    assert str(event["location"]) == "Room 2, east; by the \\ window\nupstairs"


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    name = "Salle de repos é" * 12  # two-octet characters across every fold
    body, calendar = feed(location=name)

    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    for line in body.split(b"\r\n"):
        line.decode()  # each physical line is whole characters
    [event] = calendar.walk("VEVENT")
    assert str(event["location"]) == name


def test_lines_end_with_crlf():
    body, _ = feed()

    assert body.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in body.replace(b"\r\n", b"")
