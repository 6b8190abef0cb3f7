import datetime

from django.urls import reverse
from django.utils import timezone

from clinic.models import LinkPurpose, OutcomeMeasure, PatientLink
from followups.models import FollowUp
from tests.browser.conftest import accessibility_violations, log_in, screenshot
from tests.factories import PatientFactory
from tests.scheduling.factories import chair_for, cleared_patient, clinician_with_hours, open_clinic


def test_a_nurse_sees_an_overdue_follow_up_on_the_worklist_and_books_it(page):
    open_clinic(weekdays=range(7))
    chair_for("iv", name="Chair 1")
    nurse = clinician_with_hours(email="daniel@clinic.test", first_name="Daniel")
    patient = cleared_patient("iv", legal_first_name="Alex", legal_last_name="Morgan")
    today = timezone.localdate()
    overdue = FollowUp.objects.create(
        patient=patient,
        kind="post_series",
        due_from=today - datetime.timedelta(days=10),
        due_by=today - datetime.timedelta(days=4),
    )

    log_in(page, nurse.__class__.objects.get(pk=nurse.pk))
    page.get_by_role("link", name="Worklist").first.click()
    row = page.locator("section:has(#section-overdue)").get_by_role("row", name="Alex Morgan")
    assert row.get_by_text("Overdue").is_visible()
    screenshot(page, "worklist-overdue")
    assert accessibility_violations(page) == []
    row.get_by_role("link", name="Book").click()

    tomorrow = today + datetime.timedelta(days=1)
    page.get_by_label("Day").fill(tomorrow.isoformat())
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Clinician").select_option(label=str(nurse))
    page.get_by_label("Room or chair").select_option(label="Chair 1")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Book follow-up").click()

    assert page.get_by_text("Post-series review booked for").is_visible()
    overdue.refresh_from_db()
    assert overdue.appointment is not None
    assert timezone.localtime(overdue.appointment.starts_at).date() == tomorrow
    assert page.console_errors == []


def test_a_patient_answers_the_questionnaires_on_a_phone(phone_page):
    page = phone_page
    patient = PatientFactory(legal_first_name="Alex")
    _, token = PatientLink.issue(patient=patient, purpose=LinkPurpose.QUESTIONNAIRE)

    page.goto(reverse("followups:questionnaire_start", args=[token]))
    assert token not in page.url
    for number in range(1, 10):
        page.get_by_role("group", name=f"{number}.").get_by_label("Several days").check()
    screenshot(page, "questionnaire-phone")
    assert accessibility_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="Save and continue").click()
    for number in range(1, 8):
        page.get_by_role("group", name=f"{number}.").get_by_label("Not at all").check()
    page.get_by_role("button", name="Send my answers").click()

    assert page.get_by_text("Thank you, your answers are sent").is_visible()
    assert page.get_by_role("link", name="988").is_visible()
    assert sorted(OutcomeMeasure.objects.values_list("instrument", "total")) == [
        ("gad7", 0),
        ("phq9", 9),
    ]
    assert page.console_errors == []
