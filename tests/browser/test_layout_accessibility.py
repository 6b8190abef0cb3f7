"""Pages that must stay usable with large text and on a phone (WCAG 1.4.4, 1.4.10, 2.1.1)."""

from django.urls import reverse

from clinic.models import Clinic
from intake import services
from tests.browser.conftest import accessibility_violations, log_in, screenshot
from tests.factories import PatientFactory
from tests.scheduling.factories import chair_for, next_weekday, open_clinic

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_the_staff_menu_fits_the_screen_at_twice_the_text_size(page, clinic_admin):
    log_in(page, clinic_admin)

    page.evaluate("document.documentElement.style.fontSize = '200%'")

    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    menu = page.get_by_role("navigation", name="Main")
    assert menu.bounding_box()["width"] <= 1280
    screenshot(page, "home-text-200-percent")


def test_the_patient_header_wraps_on_a_phone(phone_page):
    Clinic.objects.update_or_create(
        pk=1,
        defaults={
            "name": "Bay Area Ketamine and Mental Wellness Center",
            "phone": "(415) 555-0100",
        },
    )
    _link, token = services.intake_link_issue(patient=PatientFactory())

    phone_page.goto(reverse("intake:start", args=[token]))
    phone_page.get_by_role("link", name="Start").click()

    assert phone_page.get_by_role("link", name="Questions? Call (415) 555-0100").is_visible()
    assert phone_page.evaluate(NO_SIDEWAYS_SCROLL)
    assert accessibility_violations(phone_page) == []
    screenshot(phone_page, "intake-header-phone")


def test_an_empty_day_grid_on_a_phone_can_be_scrolled_from_the_keyboard(phone_page, front_desk):
    open_clinic(weekdays=range(7))
    for name in ["Chair 1", "Chair 2", "Chair 3", "Chair 4"]:
        chair_for("iv", name=name)
    day = next_weekday(2)
    log_in(phone_page, front_desk)

    phone_page.goto(reverse("scheduling:day") + f"?date={day:%Y-%m-%d}")
    grid = phone_page.get_by_role("region", name="Sessions by chair, in 15-minute rows")
    assert grid.evaluate("grid => grid.scrollWidth > grid.clientWidth")

    assert accessibility_violations(phone_page) == []
    for _ in range(40):
        phone_page.keyboard.press("Tab")
        if grid.evaluate("grid => grid === document.activeElement"):
            break
    assert grid.evaluate("grid => grid === document.activeElement")
    phone_page.keyboard.press("ArrowRight")
    for _ in range(20):  # the arrow key may scroll smoothly
        if grid.evaluate("grid => grid.scrollLeft > 0"):
            break
        phone_page.wait_for_timeout(50)
    assert grid.evaluate("grid => grid.scrollLeft > 0")
    screenshot(phone_page, "day-grid-empty-phone")
