"""A nurse's controlled-substance work in the browser: a delivery checked by a colleague,
a session's draw and waste before a witness, a daily count that a provider resolves, and
the administration log on screen and on paper."""

import datetime
import re
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from clinic.roles import Role
from controlled.models import Container, CountLine
from tests.browser.conftest import PASSWORD, accessibility_violations, log_in, screenshot
from tests.browser.test_scheduling_journey import clock, session_checked_in_earlier
from tests.controlled.factories import ketamine_50, safe, supplier
from tests.factories import UserFactory
from tests.scheduling.factories import chair_for, cleared_patient, clinician_with_hours, open_clinic
from tests.two_factor import app_code, app_device


def pages_in(pdf):
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def confirm_as(page, user, code, prefix="Second person's"):
    page.get_by_label(f"{prefix} email").fill(user.email)
    page.get_by_label(f"{prefix} password").fill(PASSWORD)
    page.get_by_label(re.compile(re.escape(prefix) + ".*authenticator app")).fill(code)


def test_a_nurse_receives_draws_wastes_counts_and_prints_the_log(page):
    open_clinic()
    chair = chair_for("iv", name="Chair 1")
    nurse = clinician_with_hours(email="daniel@clinic.test", first_name="Daniel")
    ola = UserFactory(email="ola@clinic.test", first_name="Ola", role=Role.NURSE)
    ola_app = app_device(ola)
    priya = UserFactory(email="priya@clinic.test", first_name="Priya", role=Role.NURSE)
    provider = UserFactory(email="chen@clinic.test", first_name="Grace", role=Role.PROVIDER)
    patient = cleared_patient("iv", legal_first_name="Alex", legal_last_name="Morgan")
    earlier = session_checked_in_earlier(patient, chair, nurse)
    product, location, seller = ketamine_50(), safe(), supplier()

    # A delivery of ten vials, checked by Ola with her password and app.
    log_in(page, nurse)
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Controlled substances"
    ).click()
    page.get_by_role("link", name="Receive a delivery").click()
    assert accessibility_violations(page) == []
    page.get_by_label("Supplier").select_option(str(seller.pk))
    page.get_by_label("Invoice number").fill("INV-2041")
    page.get_by_label("Product").select_option(str(product.pk))
    page.get_by_label("Lot number").fill("KX9981")
    expiry = timezone.localdate() + datetime.timedelta(days=400)
    page.get_by_label("Expiry date").fill(f"{expiry:%Y-%m-%d}")
    page.get_by_label("Number of vials or devices").fill("10")
    page.get_by_label("Put into").select_option(str(location.pk))
    confirm_as(page, ola, app_code(ola_app), prefix="Checked by:")
    page.get_by_role("button", name="Receive into stock").click()

    expect(page.get_by_text("Received 10 × Ketamine 50 mg/mL")).to_be_visible()
    totals = page.get_by_role("region", name="On hand, by product")
    expect(totals.locator("tbody tr", has_text=product.name)).to_contain_text("5000")
    shelf = page.get_by_role("region", name=location.name)
    expect(shelf.locator("tbody tr")).to_have_count(10)
    screenshot(page, "controlled-stock")
    assert accessibility_violations(page) == []
    first, second = Container.objects.order_by("number")[:2]

    # The session: checklist, the draw from the first vial, the dose, the rest wasted.
    start = earlier.starts_at
    page.goto(reverse("scheduling:session_record", args=[earlier.pk]))
    page.get_by_label("An adult escort will take the patient home").check()
    page.get_by_label("Fasting rules kept").check()
    page.get_by_label("No change in medications or health since the last visit").check()
    page.get_by_label("Systolic BP").fill("128")
    page.get_by_label("Diastolic BP").fill("82")
    page.get_by_label("Heart rate").fill("70")
    page.get_by_label("SpO2 %").fill("98")
    page.get_by_role("button", name="Save checklist and vitals").click()

    page.get_by_label("Container").select_option(str(first.pk))
    page.get_by_label("Amount drawn (mg)").fill("35")
    page.get_by_role("button", name="Record the draw").click()
    expect(page.get_by_text("The draw is recorded")).to_be_visible()

    page.locator("#id_amount").fill("35")  # the dose's amount, beside the draw's
    assert page.get_by_label("Lot number").input_value() == "KX9981"  # the vial's
    page.get_by_label("Started at").fill(clock(start, 15))
    page.get_by_label("Ended at").fill(clock(start, 55))
    page.get_by_role("button", name="Record dose").click()

    page.get_by_text("Waste what remains").click()
    waste = page.locator("details form")
    assert Decimal(waste.locator('[name="mg"]').input_value()) == 465
    confirm_as(waste, ola, app_code(ola_app, steps_ahead=1))  # her first code is used up
    screenshot(page, "controlled-record-panel")
    assert accessibility_violations(page) == []
    waste.get_by_role("button", name="Record the waste with the witness").click()
    expect(page.get_by_text("The waste is recorded, with its witness.")).to_be_visible()

    # The emptied vial is out of stock; a second draw leaves an opened vial to count.
    page.get_by_label("Container").select_option(str(second.pk))
    page.get_by_label("Amount drawn (mg)").fill("35")
    page.get_by_role("button", name="Record the draw").click()
    expect(page.get_by_text("The draw is recorded")).to_be_visible()

    # The daily count finds 0.1 mL less than the ledger; Priya counts with the nurse.
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Controlled substances"
    ).click()
    page.get_by_role("link", name="Counts").click()
    page.get_by_label("Kind").select_option(label="Daily count of opened containers")
    page.get_by_label("Location").select_option(str(location.pk))
    page.get_by_role("button", name="Start counting").click()
    expect(page.locator("tbody tr")).to_have_count(1)
    page.get_by_label(f"mL in #{second.label}").fill("9.2")
    page.get_by_label(f"Why #{second.label} differs").fill("A drop spilled while drawing")
    confirm_as(page, priya, app_code(app_device(priya)))
    assert accessibility_violations(page) == []
    page.get_by_role("button", name="Save the count").click()

    expect(page.get_by_text("The count is saved.")).to_be_visible()
    expect(page.get_by_text("Waiting for a provider or clinic admin")).to_be_visible()
    assert accessibility_violations(page) == []
    count_url = page.url
    page.goto("/")
    expect(page.get_by_text("To resolve")).to_be_visible()
    expect(page.get_by_text("1 count difference waiting")).to_be_visible()

    page.context.clear_cookies()
    log_in(page, provider)
    page.goto(count_url)
    page.locator("summary", has_text="Resolve").click()
    page.get_by_label("What was found and decided").fill("Spill seen by both; no loss")
    page.get_by_label("Bring the ledger to the counted amount").check()
    page.get_by_role("button", name="Resolve", exact=True).click()
    expect(page.get_by_text("The difference is resolved.")).to_be_visible()
    expect(page.get_by_text("Resolved", exact=True)).to_be_visible()
    line = CountLine.objects.get()
    assert (line.container, line.counted_ml) == (second, Decimal("9.2"))
    assert line.resolution.resolved_by == provider
    first.refresh_from_db()
    assert first.emptied_at is not None  # its 465 mg went to waste

    # The administration log of this month, on screen and on paper.
    page.context.clear_cookies()
    log_in(page, nurse)
    page.goto(reverse("controlled:stock"))
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="Administration log").click()
    draws = page.get_by_role("row", name=re.compile("Alex Morgan"))
    expect(draws).to_have_count(2)
    expect(draws.first).to_contain_text("35")
    screenshot(page, "controlled-administration-log")
    assert accessibility_violations(page) == []
    page.emulate_media(media="print")
    assert page.locator("nav.navbar").is_hidden()
    assert pages_in(page.pdf(format="A4")) == 1  # two lines fit one sheet
    assert pages_in(page.pdf(format="Letter")) == 1
    page.emulate_media(media="screen")
    assert page.locator("nav.navbar").is_visible()
    assert page.console_errors == []


def test_the_stock_page_and_the_delivery_form_fit_a_phone(phone_page):
    page = phone_page
    nurse = UserFactory(email="daniel@clinic.test", first_name="Daniel", role=Role.NURSE)
    supplier(), ketamine_50(), safe()

    log_in(page, nurse)
    for name in ("controlled:stock", "controlled:receive"):
        page.goto(reverse(name))
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert accessibility_violations(page) == []
    assert page.console_errors == []
