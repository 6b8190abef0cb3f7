import datetime
import importlib
import io
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command
from django.urls import NoReverseMatch, clear_url_caches, reverse
from django.utils import timezone

from clinic.models import Clinic, OutcomeMeasure, Patient, PatientLink
from followups.models import FollowUp
from intake.models import Intake, IntakeStatus
from scheduling.models import ACTIVE_STATUSES, Appointment, SessionRecord, TreatmentPlan
from tests.two_factor import log_in_verified

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def scale_data(django_db_setup, django_db_blocker):
    """One tiny scale data set for the module (40 patients), removed afterwards."""
    from django.conf import settings

    with django_db_blocker.unblock():
        settings.DEBUG = True
        try:
            call_command("seed_scale", patients=40, stdout=io.StringIO())
        finally:
            settings.DEBUG = False
        yield
        # As after a transactional test: empty every table, then restore the reference rows.
        call_command("flush", interactive=False, verbosity=0)


def _appointments():
    return list(Appointment.objects.values("status", "ends_at", "kind", "patient_id"))


def test_about_7_percent_of_appointments_are_cancelled(scale_data):
    appointments = _appointments()
    cancelled = sum(a["status"] == Appointment.Status.CANCELLED for a in appointments)

    assert 0.03 < cancelled / len(appointments) < 0.12


def test_about_5_percent_of_past_appointments_are_no_shows(scale_data):
    past = [a for a in _appointments() if a["ends_at"] < timezone.now()]
    no_shows = sum(a["status"] == Appointment.Status.NO_SHOW for a in past)

    assert 0.02 < no_shows / len(past) < 0.09


def test_treated_patients_have_a_series_and_more(scale_data):
    plans = TreatmentPlan.objects.booked()
    sessions = Appointment.objects.sessions().filter(patient__in=plans.values("patient"))

    assert plans.count() >= 25
    # Most series are over (completed, or closed when the rest was cancelled); a few go on.
    assert plans.filter(status=TreatmentPlan.Status.COMPLETED).count() > plans.count() / 2
    assert plans.filter(status=TreatmentPlan.Status.CONFIRMED).exists()
    assert sessions.count() / plans.count() >= 7
    assert Appointment.objects.filter(kind=Appointment.Kind.FOLLOW_UP).exists()
    assert Appointment.objects.filter(status=Appointment.Status.BOOKED).exists()


def test_past_sessions_have_signed_records_with_vitals_and_recent_ones_observations(scale_data):
    demo = Patient.objects.filter(email__endswith="@example.com")  # seed_demo's, without records
    completed = (
        Appointment.objects.sessions()
        .filter(status=Appointment.Status.COMPLETED)
        .exclude(patient__in=demo)
    )
    records = SessionRecord.objects.filter(appointment__in=completed)

    assert records.count() == completed.count()
    assert not records.filter(signed_at__isnull=True).exists()
    assert not records.filter(systolic__isnull=True).exists()
    recent = records.filter(dose_started_at__gte=timezone.now() - datetime.timedelta(days=30))
    assert recent.filter(observations__isnull=False).exists()


def test_scores_links_follow_ups_and_history_exist(scale_data):
    assert OutcomeMeasure.objects.count() > 2 * Patient.objects.count()
    assert PatientLink.objects.filter(purpose="questionnaire").exists()
    assert FollowUp.objects.exists()
    assert Appointment.history.count() > Appointment.objects.count()


def test_some_intakes_wait_for_review(scale_data):
    waiting = Intake.objects.filter(status=IntakeStatus.SUBMITTED)

    assert waiting.exists()
    assert not waiting.filter(phq9__isnull=True).exists()


def _overlaps(rows):
    """Pairs of rows of one key whose [start, end) overlap."""
    clashes = 0
    for spans in rows.values():
        spans.sort()
        clashes += sum(1 for a, b in zip(spans, spans[1:], strict=False) if b[0] < a[1])
    return clashes


def test_no_chair_or_patient_is_booked_twice_and_clinicians_keep_their_limit(scale_data):
    by_room, by_patient, by_clinician = defaultdict(list), defaultdict(list), defaultdict(list)
    for a in Appointment.objects.filter(status__in=ACTIVE_STATUSES).values():
        span = (a["starts_at"], a["ends_at"])
        if a["room_id"]:
            by_room[a["room_id"]].append(span)
        by_patient[a["patient_id"]].append(span)
        by_clinician[a["clinician_id"]].append(span)
    capacity = Clinic.load().patients_per_clinician

    assert _overlaps(by_room) == 0
    assert _overlaps(by_patient) == 0
    for spans in by_clinician.values():
        events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans])
        running = peak = 0
        for _, change in events:
            running += change
            peak = max(peak, running)
        assert peak <= capacity


@pytest.mark.postgres_only
def test_the_capacity_trigger_is_on_again_after_seeding(scale_data):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = %s",
            ["appointment_within_clinician_capacity"],
        )
        assert cursor.fetchone() == ("O",)  # "O": fires (D would be disabled)


def test_it_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    before = Patient.objects.count()

    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("seed_scale", patients=40, stdout=io.StringIO())

    assert Patient.objects.count() == before


def _reload_urls():
    import clinic.urls

    importlib.reload(clinic.urls)
    clear_url_caches()


def test_the_baseline_page_does_not_exist_unless_enabled(client, front_desk):
    log_in_verified(client, front_desk)

    with pytest.raises(NoReverseMatch):
        reverse("bench_baseline")
    assert client.get("/bench/baseline/").status_code == 404


def test_the_baseline_page_answers_when_the_benchmark_enables_it(settings, client, front_desk):
    settings.BENCH_BASELINE = True
    _reload_urls()
    log_in_verified(client, front_desk)
    try:
        response = client.get(reverse("bench_baseline"))
    finally:
        settings.BENCH_BASELINE = False
        _reload_urls()

    assert response.status_code == 200
