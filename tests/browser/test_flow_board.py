import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clinic.roles import Role
from tests.browser.conftest import _new_page, accessibility_violations, log_in, screenshot
from tests.factories import UserFactory
from tests.scheduling.factories import (
    chair_for,
    checked_in_session,
    cleared_patient,
    clinician_with_hours,
    open_clinic,
)


def checked_in_minutes_ago(minutes, *, patient, room, clinician):
    """An IV session that started a few minutes ago on the live server's real clock."""
    now = timezone.localtime()
    start = (now - datetime.timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    if start.date() != now.date():
        pytest.skip("Too close to midnight for a session that started earlier today.")
    return checked_in_session(patient=patient, room=room, clinician=clinician, starts_at=start)


def clock(minutes_ago):
    return f"{timezone.localtime() - datetime.timedelta(minutes=minutes_ago):%H:%M}"


def test_the_board_follows_a_session_from_arrived_to_monitoring_without_a_reload(
    page, browser, live_server, settings
):
    settings.FLOW_BOARD_REFRESH_SECONDS = 1
    open_clinic(weekdays=range(7))
    nurse = clinician_with_hours(email="daniel@clinic.test", first_name="Daniel")
    maria = UserFactory(email="maria@clinic.test", first_name="Maria", role=Role.FRONT_DESK)
    patient = cleared_patient("iv", legal_first_name="Alex", legal_last_name="Morgan")
    appointment = checked_in_minutes_ago(
        30, patient=patient, room=chair_for("iv", name="Chair 1"), clinician=nurse
    )

    # Maria keeps the board open at the front desk.
    log_in(page, maria)
    page.get_by_role("link", name="Flow board").first.click()
    row = page.locator(f"#board-row-{appointment.pk}")
    expect(row).to_contain_text("Arrived")
    page.evaluate("window.boardNotReloaded = true")

    # Daniel, on a tablet, records the pre-dose checks and the dose.
    context, tablet = _new_page(browser, live_server, viewport={"width": 1024, "height": 768})
    log_in(tablet, nurse)
    tablet.goto(reverse("scheduling:session_record", args=[appointment.pk]))
    tablet.get_by_label("An adult escort will take the patient home").check()
    tablet.get_by_label("Fasting rules kept").check()
    tablet.get_by_label("No change in medications or health since the last visit").check()
    tablet.get_by_label("Systolic BP").fill("128")
    tablet.get_by_label("Diastolic BP").fill("82")
    tablet.get_by_label("Heart rate").fill("70")
    tablet.get_by_label("SpO2 %").fill("98")
    tablet.get_by_role("button", name="Save checklist and vitals").click()
    expect(row).to_contain_text("In chair")

    tablet.locator("#id_amount").fill("35")  # the dose's amount, beside the draw's
    tablet.get_by_label("Lot number").fill("LOT-42")
    tablet.get_by_label("Started at").fill(clock(20))
    tablet.get_by_label("Ended at").fill(clock(2))
    tablet.get_by_role("button", name="Record dose").click()
    expect(tablet.get_by_text("Vitals overdue")).to_be_visible()
    context.close()

    expect(row).to_contain_text("Monitoring")
    expect(row).to_contain_text("min since the dose ended")
    expect(row).to_contain_text("Minimum monitoring:")
    expect(row).to_contain_text("Vitals overdue")
    assert page.evaluate("window.boardNotReloaded") is True
    screenshot(page, "flow-board")
    assert accessibility_violations(page) == []
    assert page.console_errors == []


def test_the_board_reads_across_a_room_and_on_a_tablet(page):
    open_clinic(weekdays=range(7))
    nurse = clinician_with_hours(email="daniel@clinic.test", first_name="Daniel")
    for n, name in enumerate(["Chair 1", "Chair 2", "Chair 3"]):
        checked_in_minutes_ago(
            20 + n * 5,
            patient=cleared_patient("iv"),
            room=chair_for("iv", name=name),
            clinician=nurse if n < 2 else clinician_with_hours(),
        )
    log_in(page, nurse)

    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(reverse("scheduling:flow_board") + "?wall=1")
    assert page.get_by_role("navigation", name="Main").count() == 0
    font_size = page.locator(".board-table td").first.evaluate(
        "cell => parseFloat(getComputedStyle(cell).fontSize)"
    )
    assert font_size >= 28
    screenshot(page, "flow-board-wall")
    assert accessibility_violations(page) == []

    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(reverse("scheduling:flow_board"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    screenshot(page, "flow-board-tablet")
    assert accessibility_violations(page) == []
    assert page.console_errors == []
