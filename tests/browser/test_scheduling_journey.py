import re

from django.urls import reverse

from clinic.roles import Role
from scheduling.models import Appointment, SessionRecord, TreatmentPlan
from tests.browser.conftest import accessibility_violations, log_in, screenshot
from tests.factories import UserFactory
from tests.scheduling.factories import (
    TreatmentPlanFactory,
    chair_for,
    cleared_patient,
    clinician_with_hours,
    open_clinic,
)


def test_front_desk_books_an_iv_series_and_a_nurse_records_a_session(page):
    open_clinic()
    for name in ("Chair 1", "Chair 2"):
        chair_for("iv", name=name)
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
    first.check_in()

    # Daniel records the session through discharge.
    page.context.clear_cookies()
    log_in(page, nurse.__class__.objects.get(pk=nurse.pk))
    page.goto(reverse("scheduling:appointment_detail", args=[first.pk]))
    page.get_by_role("link", name="Session record").click()
    page.get_by_label("An adult escort will take the patient home").check()
    page.get_by_label("Fasting rules kept").check()
    page.get_by_label("No change in medications or health since the last visit").check()
    page.get_by_label("Systolic BP").fill("128")
    page.get_by_label("Diastolic BP").fill("82")
    page.get_by_label("Heart rate").fill("70")
    page.get_by_label("SpO2 %").fill("98")
    page.get_by_role("button", name="Save checklist and vitals").click()

    page.get_by_label("Lot number").fill("LOT-42")
    page.get_by_label("Started at").fill("08:00")
    page.get_by_label("Ended at").fill("08:40")
    page.get_by_role("button", name="Record dose").click()

    page.get_by_label("Systolic BP").fill("132")
    page.get_by_label("Diastolic BP").fill("84")
    page.get_by_label("MOAA/S").select_option("4")
    page.get_by_label("Nausea").check()
    page.get_by_label("Intervention given (e.g. anti-emetic)").fill("Ondansetron 4 mg")
    page.get_by_role("button", name="Add observation").click()

    page.get_by_label("Discharge time").fill("09:25")
    page.get_by_label("Vitals acceptable, sedation and dissociation resolved").check()
    page.get_by_label("Released to the escort").check()
    page.get_by_role("button", name="Discharge").click()
    assert page.get_by_text(re.compile("Too early to discharge")).is_visible()

    page.get_by_label("Discharge time").fill("09:45")
    page.get_by_label("Vitals acceptable, sedation and dissociation resolved").check()
    page.get_by_label("Released to the escort").check()
    page.get_by_role("button", name="Discharge").click()
    page.get_by_role("button", name="Sign and lock the record").click()

    assert page.get_by_text("Signed and locked").is_visible()
    screenshot(page, "session-record-signed")
    assert accessibility_violations(page) == []
    assert page.console_errors == []
    record = SessionRecord.objects.get(appointment=first)
    assert record.locked and record.lot_number == "LOT-42"
    assert Appointment.objects.get(pk=first.pk).status == Appointment.Status.COMPLETED
