"""Protocols and their versions: the spacing rules the planner and booking share, snapshots."""

import datetime
import zoneinfo

from scheduling.models import Protocol, ProtocolVersion

ZONE = zoneinfo.ZoneInfo("America/Los_Angeles")
MONDAY = datetime.date(2026, 3, 2)


def esketamine_version():
    return ProtocolVersion(
        session_count=12,
        minimum_hours_between=48,
        phases=[{"weeks": 4, "per_week": 2}, {"weeks": 4, "per_week": 1}],
    )


def at(day, hour=9):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZONE)


def days(n):
    return datetime.timedelta(days=n)


def test_the_minimum_gap_is_the_protocols_hours_between_starts():
    assert esketamine_version().minimum_gap == datetime.timedelta(hours=48)


def test_weeks_are_counted_from_the_plans_first_day():
    version = esketamine_version()

    assert version.week_of(MONDAY + days(6), first_day=MONDAY) == 0
    assert version.week_of(MONDAY + days(7), first_day=MONDAY) == 1


def test_the_last_phase_rate_continues_after_it():
    version = esketamine_version()

    assert [version.per_week_in(week) for week in (0, 3, 4, 7, 20)] == [2, 2, 1, 1, 1]


def test_a_series_that_keeps_the_spacing_has_no_problems():
    sessions = [(1, at(MONDAY)), (2, at(MONDAY + days(3))), (3, at(MONDAY + days(7)))]

    assert esketamine_version().spacing_problems(sessions, first_day=MONDAY, zone=ZONE) == []


def test_sessions_closer_than_the_minimum_hours_are_named():
    sessions = [(1, at(MONDAY)), (2, at(MONDAY + days(1)))]

    problems = esketamine_version().spacing_problems(sessions, first_day=MONDAY, zone=ZONE)

    assert problems == ["Sessions 1 and 2 are less than 48 hours apart."]


def test_a_week_with_more_sessions_than_its_phase_allows_is_named():
    sessions = [(n, at(MONDAY + days(4 * 7 + 2 * (n - 1)))) for n in (1, 2)]

    problems = esketamine_version().spacing_problems(sessions, first_day=MONDAY, zone=ZONE)

    assert problems == ["Sessions 1, 2 fall in week 5 of the series, which allows 1 a week."]


def test_a_late_evening_session_counts_in_the_clinics_week_not_utcs():
    # Sunday 8 PM in California is already Monday in UTC: it still belongs to week 1.
    sessions = [(1, at(MONDAY)), (2, at(MONDAY + days(2))), (3, at(MONDAY + days(6), hour=20))]

    problems = esketamine_version().spacing_problems(sessions, first_day=MONDAY, zone=ZONE)

    assert problems == ["Sessions 1, 2, 3 fall in week 1 of the series, which allows 2 a week."]


def test_stored_times_are_measured_in_real_hours_across_the_march_clock_change():
    # 9 AM Saturday to 9 AM Monday over the spring-forward weekend is only 47 hours.
    saturday = datetime.date(2026, 3, 7)
    stored = [
        at(saturday).astimezone(datetime.UTC),
        at(saturday + days(2)).astimezone(datetime.UTC),
    ]
    sessions = list(enumerate(stored, start=1))

    problems = esketamine_version().spacing_problems(sessions, first_day=saturday, zone=ZONE)

    assert problems == ["Sessions 1 and 2 are less than 48 hours apart."]


def test_reading_the_current_version_saves_nothing(db):
    protocol = Protocol.objects.get(name="IV induction")

    assert protocol.current_version() is None
    assert not ProtocolVersion.objects.exists()


def test_a_snapshot_is_reused_until_the_protocol_changes(db):
    protocol = Protocol.objects.get(name="IV induction")
    first = protocol.snapshot()

    assert protocol.snapshot() == first
    assert protocol.current_version() == first
    assert ProtocolVersion.objects.count() == 1


def test_after_an_edit_there_is_no_current_version_until_the_next_snapshot(db):
    protocol = Protocol.objects.get(name="IV induction")
    first = protocol.snapshot()
    protocol.minimum_hours_between = 48
    protocol.save()

    assert protocol.current_version() is None
    newer = protocol.snapshot()
    assert (newer.number, newer.minimum_hours_between) == (first.number + 1, 48)
    assert protocol.current_version() == newer
