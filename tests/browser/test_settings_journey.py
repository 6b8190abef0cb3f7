"""Sam, the clinic admin, keeps the clinic's settings in the app's own pages."""

from django.urls import reverse

from clinic.models import Room
from clinic.roles import Role
from scheduling.models import ClinicianHours
from tests.browser.conftest import accessibility_violations, log_in, screenshot
from tests.factories import UserFactory
from tests.scheduling.factories import chair_for, clinician_with_hours, open_clinic


def test_the_clinic_admin_sets_up_a_chair_hours_a_closure_and_a_nurses_hours(page):
    open_clinic()
    chair_for("iv", name="Chair 1")
    nina = clinician_with_hours(email="nina@clinic.test", first_name="Nina", last_name="Park")
    sam = UserFactory(
        email="sam@clinic.test", first_name="Sam", role=Role.CLINIC_ADMIN, is_staff=True
    )

    log_in(page, sam)
    page.get_by_role("link", name="Clinic settings").first.click()
    assert accessibility_violations(page) == []
    screenshot(page, "settings")

    page.get_by_role("link", name="Chairs and rooms").click()
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Chair 1").click()
    page.get_by_label("Turnover (minutes)").fill("15")
    page.get_by_label("IV infusion").check()
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Chair 1 saved.").is_visible()
    assert Room.objects.get(name="Chair 1").turnover_minutes == 15

    page.goto(reverse("clinic:settings_hours"))
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Change Saturday").click()
    page.get_by_label("Closed all day").uncheck()
    page.get_by_label("Opens").fill("09:00")
    page.get_by_label("Closes").fill("13:00")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("cell", name="9:00 AM–1:00 PM").is_visible()

    page.goto(reverse("clinic:settings_closures"))
    page.get_by_label("First closed day").fill("2030-12-24")
    page.get_by_label("Last closed day").fill("2030-12-26")
    page.get_by_label("Reason").fill("Holidays")
    page.get_by_role("button", name="Add the closure").click()
    assert page.get_by_role("cell", name="Holidays").is_visible()
    assert accessibility_violations(page) == []

    page.goto(reverse("clinic:settings_staff"))
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="Nina Park").click()
    page.get_by_label("Works on Saturdays").uncheck()
    page.get_by_label("Works on Sundays").uncheck()
    page.get_by_label("Monday from").fill("09:00")
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Nina Park saved.").is_visible()
    days = set(ClinicianHours.objects.filter(clinician=nina).values_list("weekday", flat=True))
    assert days == {0, 1, 2, 3, 4}

    page.goto(reverse("scheduling:settings_protocols"))
    assert accessibility_violations(page) == []
    page.get_by_role("link", name="IV induction").click()
    assert accessibility_violations(page) == []
    page.goto(reverse("intake:settings_consent"))
    assert accessibility_violations(page) == []
    assert page.console_errors == []
