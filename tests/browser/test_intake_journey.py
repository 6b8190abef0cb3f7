"""Alex fills in intake on a phone in two sittings; Dr Chen reviews and clears them."""

from django.urls import reverse

from clinic.models import PatientStatus, SafetyFlag
from clinic.roles import Role
from intake import services
from tests.browser.conftest import accessibility_violations, log_in, screenshot
from tests.factories import PatientFactory, UserFactory


def save_and_continue(page):
    page.get_by_role("button", name="Save and continue").click()


def choose(page, name, value):
    page.locator(f'input[name="{name}"][value="{value}"]').check()


def fill_first_sitting(page):
    page.get_by_role("link", name="Start").click()
    assert page.get_by_text("Step 1 of 9").is_visible()
    page.get_by_label("Date of birth").fill("02/30/1988")  # a mistake
    page.get_by_label("Street address").fill("1 Main Street")
    page.get_by_label("City").fill("Oakland")
    page.get_by_label("State").fill("CA")
    page.get_by_label("ZIP code").fill("94601")
    save_and_continue(page)
    assert page.get_by_role("alert").get_by_role("link", name="Date of birth").is_visible()
    page.get_by_role("alert").get_by_role("link", name="Date of birth").click()
    assert page.evaluate("document.activeElement.name") == "date_of_birth"  # in the box itself
    field = page.locator("#div_id_date_of_birth")
    assert field.get_by_text("Please enter a real date as MM/DD/YYYY").is_visible()
    assert page.get_by_label("City").input_value() == "Oakland"
    page.get_by_label("Date of birth").fill("03/14/1988")
    save_and_continue(page)

    assert page.get_by_text("Step 2 of 9").is_visible()
    page.get_by_label("Emergency contact's name").fill("Jamie Doe")
    page.get_by_label("How they are related to you").fill("Partner")
    page.get_by_label("Emergency contact's phone").fill("415 555 0111")
    page.get_by_label("Name of the adult who will take you home").fill("Jamie Doe")
    page.get_by_label("Their phone").fill("415 555 0111")
    save_and_continue(page)
    assert page.get_by_text("Step 3 of 9").is_visible()


def fill_second_sitting(page):
    for question in [
        "high_blood_pressure",
        "aneurysm",
        "brain_bleed",
        "heart_disease",
        "ketamine_reaction",
        "pregnancy",
        "bladder",
        "liver",
        "sleep_apnea",
        "intracranial_pressure",
        "glaucoma",
    ]:
        choose(page, question, "no")
    choose(page, "units", "metric")
    page.get_by_label("Height in centimeters").fill("172")
    page.get_by_label("Weight in kilograms").fill("70")
    save_and_continue(page)

    assert page.get_by_text("Step 4 of 9").is_visible()
    for question in ["hospitalized", "psychosis_or_mania", "substance_use", "ketamine_or_pcp"]:
        choose(page, question, "no")
    save_and_continue(page)

    assert page.get_by_text("Step 5 of 9").is_visible()
    page.locator('input[name="medications-0-name"]').fill("Sertraline")
    page.locator('input[name="medications-0-dose"]').fill("100 mg")
    for row, name in enumerate(["Fluoxetine", "Escitalopram"]):
        page.locator(f'input[name="trials-{row}-name"]').fill(name)
        page.locator(f'input[name="trials-{row}-weeks"]').fill("8")
    save_and_continue(page)

    assert page.get_by_text("Step 6 of 9").is_visible()
    for item in range(1, 9):
        choose(page, f"item_{item}", "2")
    choose(page, "item_9", "1")
    save_and_continue(page)

    assert page.get_by_text("Step 7 of 9").is_visible()
    assert page.get_by_text("help is here now").is_visible()
    for item in range(1, 8):
        choose(page, f"item_{item}", "1")
    save_and_continue(page)

    assert page.get_by_text("Step 8 of 9").is_visible()
    page.get_by_label("Type your full name as your signature").fill("Alex Morgan")
    page.get_by_label("I have read this consent and I agree to it.").check()
    save_and_continue(page)


def test_a_patient_fills_in_intake_on_a_phone_in_two_sittings_and_a_provider_clears_them(
    phone_page, page
):
    alex = PatientFactory(legal_first_name="Alex", legal_last_name="Morgan", phone="4155550100")
    _link, token = services.intake_link_issue(patient=alex)
    chen = UserFactory(email="chen@clinic.test", first_name="Grace", role=Role.PROVIDER)

    phone_page.goto(reverse("intake:start", args=[token]))
    assert token not in phone_page.url
    assert phone_page.get_by_text("about 20 minutes").is_visible()
    fill_first_sitting(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 375
    assert accessibility_violations(phone_page) == []
    screenshot(phone_page, "intake-medical-step-phone")

    # Alex closes the browser on the bus and comes back two days later with the same link.
    phone_page.context.clear_cookies()
    phone_page.goto(reverse("intake:start", args=[token]))
    phone_page.get_by_role("link", name="Continue where you left off").click()
    assert phone_page.get_by_text("Step 3 of 9").is_visible()
    fill_second_sitting(phone_page)

    assert phone_page.get_by_role("heading", name="Review and submit").is_visible()
    assert phone_page.get_by_text("Sertraline").first.is_visible()
    assert accessibility_violations(phone_page) == []
    phone_page.get_by_role("button", name="Submit my form").click()
    assert phone_page.get_by_role("heading", name="Thank you, your form is sent").is_visible()
    assert phone_page.get_by_role("link", name="988").is_visible()
    assert phone_page.get_by_role("link", name="911").is_visible()
    screenshot(phone_page, "intake-sent-phone")
    assert accessibility_violations(phone_page) == []
    assert phone_page.console_errors == []

    log_in(page, chen)
    assert page.get_by_text("Urgent safety flags (1)").is_visible()
    page.get_by_role("link", name="Intake review").click()
    first_row = page.locator("tbody tr").first
    assert "Urgent safety flag" in first_row.inner_text()
    first_row.get_by_role("link", name="Morgan, Alex").click()
    assert page.get_by_text("Moderately severe").first.is_visible()
    assert page.get_by_text("2 of 2 (6 weeks or more, as reported)").is_visible()
    screenshot(page, "intake-summary")
    assert accessibility_violations(page) == []
    page.get_by_label("Cleared for treatment").check()
    page.get_by_label("IV infusion").check()
    page.get_by_label("Intranasal esketamine").check()
    page.get_by_role("button", name="Record decision").click()
    assert page.get_by_text("The decision is recorded.").is_visible()
    alex.refresh_from_db()
    assert alex.status == PatientStatus.CLEARED
    assert set(alex.cleared_routes.values_list("code", flat=True)) == {"iv", "intranasal"}

    page.goto(reverse("home"))
    page.get_by_label("What was done (required)").fill("Called Alex; safety plan reviewed.")
    page.get_by_role("button", name="Acknowledge").click()
    assert page.get_by_text("is acknowledged").is_visible()
    assert not SafetyFlag.objects.open().exists()
    assert page.console_errors == []
