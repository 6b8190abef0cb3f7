from django.urls import reverse

from clinic.roles import Role
from tests.browser.conftest import accessibility_violations, log_in, screenshot
from tests.factories import PatientFactory, UserFactory


def test_front_desk_logs_in_searches_and_opens_a_record(page):
    maria = UserFactory(email="maria@clinic.test", first_name="Maria", role=Role.FRONT_DESK)
    PatientFactory.create_batch(5)
    alex = PatientFactory(
        legal_first_name="Alexandra", legal_last_name="Quintero", phone="4155550199"
    )

    log_in(page, maria)
    page.get_by_role("link", name="Patients").click()
    page.get_by_label("Search patients").fill("Quintero")
    page.get_by_role("button", name="Search").click()

    assert page.get_by_text("1 patient match").is_visible()
    assert "Quintero" not in page.url
    page.get_by_role("link", name="Quintero, Alexandra").click()

    page.wait_for_url(f"**{reverse('clinic:patient_detail', args=[alex.pk])}")
    assert page.get_by_role("heading", name="Alexandra Quintero").is_visible()
    assert page.get_by_text(f"MRN {alex.mrn}").is_visible()
    screenshot(page, "patient-detail")
    assert accessibility_violations(page) == []
    assert page.console_errors == []


def test_staff_pages_fit_a_phone_screen(phone_page):
    maria = UserFactory(email="maria@clinic.test", role=Role.FRONT_DESK)
    PatientFactory.create_batch(3)

    log_in(phone_page, maria)
    phone_page.goto(reverse("clinic:patient_list"))

    page_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 375
    phone_page.get_by_role("button", name="Show the menu").click()
    assert phone_page.get_by_role("link", name="Patients").is_visible()
    screenshot(phone_page, "patient-list-phone")


def test_login_list_and_registration_pages_pass_accessibility_checks(page):
    maria = UserFactory(email="maria@clinic.test", role=Role.FRONT_DESK)
    PatientFactory.create_batch(3)

    page.goto(reverse("login"))
    assert accessibility_violations(page) == []
    log_in(page, maria)
    for url in [reverse("home"), reverse("clinic:patient_list"), reverse("clinic:patient_create")]:
        page.goto(url)
        assert accessibility_violations(page) == [], url
    page.get_by_role("button", name="Register patient").click()
    assert page.locator("#form-errors").is_visible()
    assert page.evaluate("document.activeElement.id") == "form-errors"
    assert accessibility_violations(page) == []
    assert page.console_errors == []


def test_the_day_calendar_and_home_fit_a_phone_screen(phone_page):
    from tests.scheduling.factories import (
        at,
        book,
        chair_for,
        cleared_patient,
        clinician_with_hours,
        next_weekday,
        open_clinic,
    )

    open_clinic()
    monday = next_weekday(0)
    nurse = clinician_with_hours(email="nurse@clinic.test")
    for number in range(1, 5):
        book(
            patient=cleared_patient("iv"),
            room=chair_for("iv", name=f"Chair {number}"),
            clinician=nurse,
            starts_at=at(monday, 9 + number),
        )
    maria = UserFactory(email="maria@clinic.test", role=Role.FRONT_DESK)

    log_in(phone_page, maria)
    for url in [reverse("home"), f"{reverse('scheduling:day')}?date={monday.isoformat()}"]:
        phone_page.goto(url)

        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375, url
    screenshot(phone_page, "day-calendar-phone")


def test_the_skip_link_shows_above_the_header_when_focused(page):
    log_in(page, UserFactory(role=Role.FRONT_DESK))
    page.goto(reverse("clinic:patient_list"))

    page.keyboard.press("Tab")

    link = page.get_by_role("link", name="Skip to main content")
    box = link.bounding_box()
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).textContent.trim()",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
