import datetime

import pytest
import time_machine
from django.utils import timezone

from clinic.models import Closure, Route
from scheduling.models import Protocol, SchedulingPreference, TimeOff
from scheduling.planner import Preference, load_calendar, peak_overlap, series_propose
from tests.scheduling.factories import (
    TreatmentPlanFactory,
    at,
    book,
    chair_for,
    cleared_patient,
    clinician_with_hours,
    next_weekday,
)

pytestmark = pytest.mark.django_db

LA = "America/Los_Angeles"


def local(slot):
    return slot.starts_at.astimezone(timezone.get_current_timezone())


def propose(plan):
    return series_propose(plan=plan, not_before=timezone.now())


@pytest.fixture
def setup(chair, monitor):
    return chair, monitor


def test_iv_induction_is_six_sessions_three_a_week(setup):
    plan = TreatmentPlanFactory(first_day=next_weekday(0))

    proposal = propose(plan)

    assert proposal.complete
    days = [local(slot).date() for slot in proposal.slots]
    assert len(days) == 6
    first = plan.first_day
    assert sum(1 for d in days if (d - first).days < 7) == 3
    assert sum(1 for d in days if 7 <= (d - first).days < 14) == 3


def test_sessions_respect_the_minimum_hours_between(setup):
    plan = TreatmentPlanFactory(first_day=next_weekday(0))

    slots = propose(plan).slots

    assert len(slots) == 6
    gaps = [b.starts_at - a.starts_at for a, b in zip(slots, slots[1:], strict=False)]
    assert min(gaps) >= datetime.timedelta(hours=40)


def test_esketamine_is_twice_weekly_for_four_weeks_then_weekly(clinic_open, monitor):
    chair_for("intranasal", name="Quiet room")
    patient = cleared_patient("intranasal")
    version = Protocol.objects.get(route="intranasal").snapshot()
    plan = TreatmentPlanFactory(patient=patient, protocol_version=version, dose=56, dose_unit="mg")

    slots = propose(plan).slots

    weeks = [(local(s).date() - plan.first_day).days // 7 for s in slots]
    assert len(slots) == 12
    assert [weeks.count(w) for w in range(8)] == [2, 2, 2, 2, 1, 1, 1, 1]


def test_no_session_on_a_closed_weekday_or_closure(setup):
    monday = next_weekday(0)
    Closure.objects.create(
        starts_on=monday, ends_on=monday + datetime.timedelta(1), reason="Training"
    )
    plan = TreatmentPlanFactory(first_day=monday)

    days = [local(slot).date() for slot in propose(plan).slots]

    assert len(days) == 6
    assert monday not in days and monday + datetime.timedelta(1) not in days
    assert all(day.weekday() < 5 for day in days)


def test_sessions_fit_inside_opening_hours(setup):
    slots = propose(TreatmentPlanFactory()).slots

    assert len(slots) == 6
    for slot in slots:
        start, end = local(slot), slot.ends_at.astimezone(timezone.get_current_timezone())
        assert start.time() >= datetime.time(8)
        assert end.time() <= datetime.time(18)


def test_only_rooms_suited_to_the_route_are_proposed(clinic_open, monitor):
    chair_for("intranasal", name="Quiet room")
    iv_chair = chair_for("iv", name="Infusion chair")

    slots = propose(TreatmentPlanFactory()).slots

    assert len(slots) == 6
    assert {slot.room_id for slot in slots} == {iv_chair.pk}


def test_clinician_hours_and_time_off_are_respected(chair, clinic_open):
    afternoon = clinician_with_hours(starts=datetime.time(13), ends=datetime.time(18))
    monday = next_weekday(0)
    TimeOff.objects.create(clinician=afternoon, starts_on=monday, ends_on=monday)
    plan = TreatmentPlanFactory(first_day=monday)

    slots = propose(plan).slots

    assert len(slots) == 6
    assert all(local(s).time() >= datetime.time(13) for s in slots)
    assert all(local(s).date() != monday for s in slots)


def test_a_full_chair_is_skipped(chair, monitor):
    monday = next_weekday(0)
    other = cleared_patient("iv")
    book(patient=other, room=chair, clinician=monitor, starts_at=at(monday, 8))

    slots = propose(TreatmentPlanFactory(first_day=monday)).slots

    assert local(slots[0]) == at(monday, 10)  # the first 15-minute step after 9:55


def test_back_to_back_is_allowed(chair, monitor):
    monday = next_weekday(0)
    book(patient=cleared_patient("iv"), room=chair, clinician=monitor, starts_at=at(monday, 8))

    route = Route.objects.get(code="iv")
    calendar = load_calendar(route=route, first_day=monday, last_day=monday)
    ends = at(monday, 8) + datetime.timedelta(minutes=route.session_minutes)

    touching = calendar.problems(
        patient_id=0,
        starts_at=ends,
        ends_at=ends + datetime.timedelta(hours=1),
        room_id=chair.pk,
        clinician_id=monitor.pk,
    )
    overlapping = calendar.problems(
        patient_id=0,
        starts_at=ends - datetime.timedelta(minutes=1),
        ends_at=ends + datetime.timedelta(hours=1),
        room_id=chair.pk,
        clinician_id=monitor.pk,
    )

    assert touching == []
    assert overlapping == ["Chair 1 is booked 8:00–9:55 AM."]


def test_clinician_capacity_is_respected(clinic_open, monitor):
    chairs = [chair_for("iv", name=f"Chair {n}") for n in range(3)]
    monday = next_weekday(0)
    for room in chairs[:2]:
        book(patient=cleared_patient("iv"), room=room, clinician=monitor, starts_at=at(monday, 8))

    slot = propose(TreatmentPlanFactory(first_day=monday)).slots[0]

    assert local(slot) >= at(monday, 9, 55)


def test_preferred_days_and_times_are_kept(setup):
    plan = TreatmentPlanFactory()
    SchedulingPreference.objects.create(
        patient=plan.patient,
        weekdays=[1, 3],
        earliest_start=datetime.time(10),
        latest_start=datetime.time(11),
    )

    proposal = propose(plan)

    assert proposal.preferences_kept
    assert len(proposal.slots) == 6
    assert {local(s).weekday() for s in proposal.slots} <= {1, 3}
    assert all(datetime.time(10) <= local(s).time() <= datetime.time(11) for s in proposal.slots)


def test_impossible_preferences_fall_back_to_any_time(setup):
    plan = TreatmentPlanFactory()
    SchedulingPreference.objects.create(patient=plan.patient, weekdays=[6])  # Sundays: closed

    proposal = propose(plan)

    assert proposal.complete
    assert not proposal.preferences_kept


def test_planning_costs_the_same_queries_for_any_series_length(setup, django_assert_num_queries):
    short = TreatmentPlanFactory()
    esketamine = Protocol.objects.get(route="intranasal")
    esketamine.route_id = "iv"
    esketamine.session_count = 24
    esketamine.save()
    long = TreatmentPlanFactory(protocol_version=esketamine.snapshot())
    plans = [
        type(short).objects.select_related("patient", "protocol_version__route").get(pk=p.pk)
        for p in (short, long)
    ]

    with django_assert_num_queries(8):
        assert len(propose(plans[0]).slots) == 6
    with django_assert_num_queries(8):
        assert len(propose(plans[1]).slots) == 24


@time_machine.travel(datetime.datetime(2026, 10, 26, 12, tzinfo=datetime.UTC), tick=False)
def test_a_series_across_the_november_change_keeps_its_wall_clock_times(setup):
    plan = TreatmentPlanFactory(first_day=datetime.date(2026, 10, 26))
    SchedulingPreference.objects.create(patient=plan.patient, earliest_start=datetime.time(9))

    slots = propose(plan).slots

    assert [local(s).time() for s in slots] == [datetime.time(9)] * 6
    offsets = {local(s).utcoffset() for s in slots}
    assert offsets == {datetime.timedelta(hours=-7), datetime.timedelta(hours=-8)}


@time_machine.travel(datetime.datetime(2027, 3, 8, 12, tzinfo=datetime.UTC), tick=False)
def test_a_series_across_the_march_change_keeps_its_wall_clock_times(setup):
    plan = TreatmentPlanFactory(first_day=datetime.date(2027, 3, 8))
    SchedulingPreference.objects.create(patient=plan.patient, earliest_start=datetime.time(9))

    slots = propose(plan).slots

    assert [local(s).time() for s in slots] == [datetime.time(9)] * 6
    utc_hours = {s.starts_at.astimezone(datetime.UTC).hour for s in slots}
    assert utc_hours == {17, 16}  # 9:00 PST then 9:00 PDT


def test_peak_overlap_counts_simultaneous_sessions_not_all_overlaps():
    t = datetime.datetime(2026, 1, 5, 8, tzinfo=datetime.UTC)
    hour = datetime.timedelta(hours=1)

    assert peak_overlap([(t, t + hour), (t + hour, t + 2 * hour)], t, t + 2 * hour) == 1
    assert peak_overlap([(t, t + 2 * hour), (t + hour, t + 3 * hour)], t, t + 3 * hour) == 2


def test_no_preference_means_any_day():
    assert Preference() == Preference(frozenset(), None, None)


def test_a_recheck_reads_only_the_bookings_that_overlap_the_times_checked(setup):
    chair, monitor = setup
    day = next_weekday(1)
    route = Route.objects.get(code="iv")
    morning = book(
        patient=cleared_patient("iv"), room=chair, clinician=monitor, starts_at=at(day, 8)
    )
    book(patient=cleared_patient("iv"), room=chair, clinician=monitor, starts_at=at(day, 14))

    calendar = load_calendar(
        route=route, first_day=day, last_day=day, around=[(at(day, 9), at(day, 10))]
    )

    assert [(b.starts_at, b.patient_id) for b in calendar.busy_by_day[day]] == [
        (morning.starts_at, morning.patient_id)
    ]
    assert calendar.problems(
        patient_id=cleared_patient("iv").pk,
        starts_at=at(day, 9),
        ends_at=at(day, 10),
        room_id=chair.pk,
        clinician_id=monitor.pk,
    ) == ["Chair 1 is booked 8:00–9:55 AM."]


def test_bookings_fall_on_their_local_day_at_either_end_of_the_window(setup):
    chair, monitor = setup
    first, last = next_weekday(0), next_weekday(0) + datetime.timedelta(days=2)
    early = book(
        patient=cleared_patient("iv"), room=chair, clinician=monitor, starts_at=at(first, 8)
    )
    late = book(
        patient=cleared_patient("iv"), room=chair, clinician=monitor, starts_at=at(last, 16)
    )

    calendar = load_calendar(route=Route.objects.get(code="iv"), first_day=first, last_day=last)

    assert [b.starts_at for b in calendar.busy_by_day[first]] == [early.starts_at]
    assert [b.starts_at for b in calendar.busy_by_day[last]] == [late.starts_at]
    assert sum(len(items) for items in calendar.busy_by_day.values()) == 2


def test_a_long_booking_early_in_the_day_still_holds_its_chair_at_the_end(setup):
    """Each slot is checked against the bookings that start within the day's longest
    booking before it: a long one that started hours earlier is among them."""
    chair, monitor = setup
    day = next_weekday(2)
    route = Route.objects.get(code="iv")
    long_one = book(
        patient=cleared_patient("iv"), room=chair, clinician=monitor, starts_at=at(day, 8)
    )
    long_one.ends_at = at(day, 13)
    long_one.chair_until = at(day, 13)
    long_one.save()
    for hour in (9, 10, 11):  # shorter bookings elsewhere in between
        book(patient=cleared_patient("iv"), room=chair_for("iv", name=f"Chair {hour}"),
             clinician=clinician_with_hours(email=f"other-{hour}@clinic.test"),
             starts_at=at(day, hour))  # fmt: skip
    calendar = load_calendar(route=route, first_day=day, last_day=day)

    assert calendar.longest_booking == datetime.timedelta(hours=5)
    assert calendar.problems(
        patient_id=cleared_patient("iv").pk,
        starts_at=at(day, 12),
        ends_at=at(day, 12, 30),
        room_id=chair.pk,
        clinician_id=monitor.pk,
    )[0].startswith("Chair 1 is booked 8:00–1:00 PM")
    assert (
        calendar.free_slot_at(
            patient_id=cleared_patient("iv").pk,
            starts_at=at(day, 12),
            ends_at=at(day, 12, 30),
            room_ids=[chair.pk],
        )
        is None
    )


def test_the_wide_window_reads_only_the_days_after_the_series_own_weeks(setup):
    """Extending the series' weeks with the days after them gives the same calendar as
    reading the whole wide window at once."""
    chair, monitor = setup
    route = Route.objects.get(code="iv")
    first = next_weekday(0)
    narrow_last = first + datetime.timedelta(days=13)
    wide_last = first + datetime.timedelta(days=40)
    for offset in (1, 11, 14, 29):  # either side of where the two reads meet
        book(
            patient=cleared_patient("iv"), room=chair, clinician=monitor,
            starts_at=at(first + datetime.timedelta(days=offset), 10),
        )  # fmt: skip
    TimeOff.objects.create(clinician=monitor, starts_on=narrow_last, ends_on=wide_last)
    Closure.objects.create(
        starts_on=first + datetime.timedelta(days=20),
        ends_on=first + datetime.timedelta(days=21),
        reason="Staff training",
    )

    whole = load_calendar(route=route, first_day=first, last_day=wide_last)
    narrow = load_calendar(route=route, first_day=first, last_day=narrow_last)
    later = load_calendar(
        route=route, first_day=narrow_last + datetime.timedelta(days=1), last_day=wide_last
    )
    extended = narrow.extended(later)

    def bookings(calendar):
        return {day: sorted(items) for day, items in calendar.busy_by_day.items() if items}

    assert bookings(extended) == bookings(whole)
    assert extended.closures == whole.closures
    assert extended.time_off == whole.time_off
    assert extended.longest_booking == whole.longest_booking
    assert bookings(narrow) == {day: b for day, b in bookings(whole).items() if day <= narrow_last}
