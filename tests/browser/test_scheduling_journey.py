import datetime
import re

from django.urls import reverse
from django.utils import timezone

from clinic.models import Route
from clinic.roles import Role
from scheduling.models import Appointment, SessionRecord, TreatmentPlan
from tests.browser.conftest import accessibility_violations, log_in, screenshot
from tests.controlled.factories import receive
from tests.factories import UserFactory
from tests.scheduling.factories import (
    TreatmentPlanFactory,
    chair_for,
    checked_in_session,
    cleared_patient,
    clinician_with_hours,
    open_clinic,
)


def session_checked_in_earlier(patient, room, clinician):
    """An IV session that began a few hours ago (or yesterday morning, just after midnight).

    The nurse may not type times later than now, and the live server runs in another
    thread with the real clock, so the journey uses real past times instead of freezing time.
    """
    now = timezone.localtime()
    start = (now - datetime.timedelta(hours=3)).replace(second=0, microsecond=0)
    if start.date() != now.date():
        start = datetime.datetime.combine(
            now.date() - datetime.timedelta(days=1), datetime.time(9), tzinfo=now.tzinfo
        )
    return checked_in_session(patient=patient, room=room, clinician=clinician, starts_at=start)


def clock(start, minutes):
    return f"{timezone.localtime(start + datetime.timedelta(minutes=minutes)):%H:%M}"


def test_front_desk_books_an_iv_series_and_a_nurse_records_a_session(page):
    open_clinic()
    chair, _ = (chair_for("iv", name=name) for name in ("Chair 1", "Chair 2"))
    nurse = clinician_with_hours(email="daniel@clinic.test", first_name="Daniel")
    maria = UserFactory(email="maria@clinic.test", first_name="Maria", role=Role.FRONT_DESK)
    patient = cleared_patient("iv", legal_first_name="Alex", legal_last_name="Morgan")
    plan = TreatmentPlanFactory(patient=patient)

    # Maria plans the series a provider ordered, moves one session, confirms.
    log_in(page, maria)
    page.goto(reverse("clinic:patient_detail", args=[patient.pk]))
    page.get_by_role("link", name="Plan series").click()
    assert page.locator("tbody tr").count() == 6
    screenshot(page, "plan-series")
    assert accessibility_violations(page) == []
    page.get_by_label("Session 2 start").fill("13:00")
    page.get_by_role("button", name="Confirm and book all sessions").click()

    assert page.get_by_text("All 6 sessions are booked.").is_visible()
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.CONFIRMED
    assert plan.appointments.count() == 6
    assert page.console_errors == []

    first = plan.appointments.get(sequence=1)
    page.goto(reverse("scheduling:day") + f"?date={first.starts_at.date():%Y-%m-%d}")
    assert page.get_by_role("link", name="Alex Morgan").first.is_visible()
    screenshot(page, "day-by-chair")
    assert accessibility_violations(page) == []
    page.emulate_media(media="print")
    assert len(re.findall(rb"/Type\s*/Page[^s]", page.pdf(format="Letter"))) == 1
    page.emulate_media(media="screen")

    # Daniel records a session the patient had earlier, through discharge.
    earlier = session_checked_in_earlier(patient, chair, nurse)
    vial = receive(lot="LOT-42")[0]
    start = earlier.starts_at
    page.context.clear_cookies()
    log_in(page, nurse.__class__.objects.get(pk=nurse.pk))
    page.goto(reverse("scheduling:appointment_detail", args=[earlier.pk]))
    page.get_by_role("link", name="Session record").click()
    page.get_by_label("An adult escort will take the patient home").check()
    page.get_by_label("Fasting rules kept").check()
    page.get_by_label("No change in medications or health since the last visit").check()
    page.get_by_label("Systolic BP").fill("128")
    page.get_by_label("Diastolic BP").fill("82")
    page.get_by_label("Heart rate").fill("70")
    page.get_by_label("SpO2 %").fill("98")
    page.get_by_role("button", name="Save checklist and vitals").click()

    page.get_by_label("Container").select_option(str(vial.pk))
    page.get_by_label("Amount drawn (mg)").fill("35")
    page.get_by_role("button", name="Record the draw").click()
    assert page.get_by_text("The draw is recorded").is_visible()

    page.locator("#id_amount").fill("35")  # the dose's amount, beside the draw's
    assert page.get_by_label("Lot number").input_value() == "LOT-42"  # the vial's
    page.get_by_label("Started at").fill(clock(start, 15))
    page.get_by_label("Ended at").fill(clock(start, 55))
    page.get_by_role("button", name="Record dose").click()

    page.get_by_label("Systolic BP").fill("132")
    page.get_by_label("Diastolic BP").fill("84")
    page.get_by_label("MOAA/S").select_option("4")
    page.get_by_label("Nausea").check()
    page.get_by_label("Intervention given (e.g. anti-emetic)").fill("Ondansetron 4 mg")
    page.get_by_role("button", name="Add observation").click()

    page.get_by_label("Discharge time").fill(clock(start, 100))
    page.get_by_label("Vitals acceptable, sedation and dissociation resolved").check()
    page.get_by_label("Released to the escort").check()
    page.get_by_role("button", name="Discharge").click()
    assert page.get_by_text(re.compile("Too early to discharge")).is_visible()

    page.get_by_label("Discharge time").fill(clock(start, 120))
    page.get_by_label("Vitals acceptable, sedation and dissociation resolved").check()
    page.get_by_label("Released to the escort").check()
    page.get_by_role("button", name="Discharge").click()
    page.get_by_role("button", name="Sign and lock the record").click()

    assert page.get_by_text("Signed and locked").is_visible()
    screenshot(page, "session-record-signed")
    assert accessibility_violations(page) == []
    assert page.console_errors == []
    record = SessionRecord.objects.get(appointment=earlier)
    assert record.locked and record.lot_number == "LOT-42"
    assert record.dose_started_at == start + datetime.timedelta(minutes=15)
    assert Appointment.objects.get(pk=earlier.pk).status == Appointment.Status.COMPLETED


def test_the_rems_monitoring_form_prints_on_one_page(page):
    from django.utils import timezone

    open_clinic(weekdays=range(7))
    nurse = clinician_with_hours(email="daniel@clinic.test")
    patient = cleared_patient("intranasal", legal_first_name="Mei", legal_last_name="Lin")
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=3)
    appointment = Appointment.objects.create(
        patient=patient,
        route=Route.objects.get(code="intranasal"),
        room=chair_for("intranasal", name="Quiet room"),
        clinician=nurse,
        starts_at=start,
        ends_at=start + datetime.timedelta(minutes=145),
        chair_until=start + datetime.timedelta(minutes=145),
        preparation_minutes=15,
        administration_minutes=10,
        monitoring_minutes=120,
        booked_by=nurse,
        status=Appointment.Status.CHECKED_IN,
    )
    record = SessionRecord.objects.create(
        appointment=appointment,
        escort_confirmed=True,
        fasting_kept=True,
        no_health_changes=True,
        systolic=130,
        diastolic=85,
        heart_rate=70,
        spo2=98,
        vitals_at=start,
        dose_amount=56,
        dose_unit="mg",
        lot_number="LOT-9",
        dose_started_at=start + datetime.timedelta(minutes=15),
        dose_ended_at=start + datetime.timedelta(minutes=25),
    )
    for minutes, systolic in ((40, 145), (80, 135), (140, 128)):
        record.observations.create(
            at=record.dose_started_at + datetime.timedelta(minutes=minutes),
            systolic=systolic,
            diastolic=85,
            moaas=5,
            recorded_by=nurse,
        )

    log_in(page, nurse.__class__.objects.get(pk=nurse.pk))
    page.goto(reverse("scheduling:rems_form", args=[appointment.pk]))
    assert page.get_by_text("LOT-9").is_visible()
    assert accessibility_violations(page) == []
    page.emulate_media(media="print")
    pdf = page.pdf(format="Letter")

    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    screenshot(page, "rems-form-print")


def test_the_front_desk_closes_a_series_the_patient_did_not_tolerate(page):
    from playwright.sync_api import expect  # waits for the page, unlike is_visible()

    from tests.scheduling.factories import ended_series, open_clinic

    open_clinic(weekdays=range(7))
    plan = ended_series(last_day=timezone.localdate() + datetime.timedelta(days=2), completed=3)
    front_desk = UserFactory(email="maria@clinic.test", first_name="Maria", role="Front desk")

    log_in(page, front_desk)
    page.goto(plan.get_absolute_url())
    page.get_by_text("End this series early").click()
    page.get_by_role("button", name="Close the series").click()
    expect(page.get_by_text("Choose why the series is ending.")).to_be_visible()
    page.get_by_role("radio", name="Other").check()
    page.get_by_role("button", name="Close the series").click()
    expect(page.get_by_text("Write a short note saying why.")).to_be_visible()
    page.get_by_role("radio", name="Not tolerated").check()
    page.get_by_label("Note (needed for “Other”)").fill("Nausea after each session")
    screenshot(page, "series-close")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Close the series").click()

    expect(page.get_by_text("The series is closed.")).to_be_visible()
    assert page.locator(".alert", has_text="Closed early").get_by_text("Not tolerated").is_visible()
    plan.refresh_from_db()
    assert plan.status == TreatmentPlan.Status.CLOSED
    assert plan.close_note == "Nausea after each session"
    assert page.console_errors == []
