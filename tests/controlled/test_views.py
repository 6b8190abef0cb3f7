"""The controlled-substance pages as staff use them: a delivery checked by a second
person, a session's draw and waste, a count and its resolution, a loss and its deadline."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from controlled import administrations, ledger
from controlled.counts import count_save
from controlled.models import (
    Container,
    Count,
    CountKind,
    CountLine,
    EntryKind,
    LedgerEntry,
    LossReport,
    Receipt,
)
from tests.controlled.factories import ketamine_50, receive, safe, supplier
from tests.factories import UserFactory
from tests.two_factor import app_code, app_device

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def colleague(db):
    """A second nurse with an authenticator app, to witness and check."""
    user = UserFactory(email="ola@clinic.test", first_name="Ola", role="Nurse")
    app_device(user)
    return user


def witness_fields(user, password="correct-horse-battery", steps_ahead=0):
    """A code is accepted once: a second confirmation in a test takes the next one."""
    return {
        "witness_email": user.email,
        "witness_password": password,
        "witness_code": app_code(app_device(user), steps_ahead=steps_ahead),
    }


def delivery(**overrides):
    return {
        "supplier": supplier().pk,
        "invoice_number": "INV-2041",
        "received_on": timezone.localdate().isoformat(),
        "product": ketamine_50().pk,
        "lot_number": "KX9981",
        "expires_on": (timezone.localdate() + datetime.timedelta(days=400)).isoformat(),
        "container_count": "10",
        "location": safe().pk,
        **overrides,
    }


def test_a_nurse_receives_a_box_checked_by_a_colleague(client_for, nurse, colleague):
    client = client_for(nurse)

    response = client.post(reverse("controlled:receive"), delivery() | witness_fields(colleague))

    assert response.status_code == 302
    receipt = Receipt.objects.get()
    assert (receipt.received_by, receipt.checked_by) == (nurse, colleague)
    assert receipt.containers.count() == 10
    stock = client.get(reverse("controlled:stock"))
    assert "5000" in stock.text  # ten 500 mg vials on hand


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"witness_password": "wrong"}, "do not match an active staff account"),
        ({"witness_code": "000000"}, "code is wrong or missing"),
    ],
)
def test_a_wrong_second_password_or_code_is_refused_keeping_what_was_typed(
    client_for, nurse, colleague, change, said
):
    response = client_for(nurse).post(
        reverse("controlled:receive"), delivery() | witness_fields(colleague) | change
    )

    assert response.status_code == 200
    assert said in response.text
    assert 'value="INV-2041"' in response.text
    assert not Receipt.objects.exists()


def test_the_person_receiving_cannot_check_their_own_delivery(client_for, nurse):
    app_device(nurse)
    response = client_for(nurse).post(
        reverse("controlled:receive"), delivery() | witness_fields(nurse)
    )
    assert "someone other than you" in response.text
    assert not Receipt.objects.exists()


def test_the_front_desk_cannot_check_a_delivery(client_for, nurse, front_desk):
    app_device(front_desk)
    response = client_for(nurse).post(
        reverse("controlled:receive"), delivery() | witness_fields(front_desk)
    )
    assert "does not hold the keys" in response.text
    assert not Receipt.objects.exists()


@pytest.mark.parametrize(
    "junk",
    [
        {"container_count": "-3"},
        {"container_count": "9" * 30},
        {"received_on": "2999-01-01"},
        {"expires_on": "not a date"},
        {"supplier": "'; DROP TABLE x"},
        {"lot_number": "KX\u202e"},
        {"invoice_number": "A" * 5000},
    ],
)
def test_hostile_input_on_a_delivery_gets_a_plain_answer(client_for, nurse, colleague, junk):
    response = client_for(nurse).post(
        reverse("controlled:receive"), delivery(**junk) | witness_fields(colleague)
    )
    assert response.status_code == 200
    assert "is-invalid" in response.text or "alert-danger" in response.text
    assert not Receipt.objects.exists()


def session_page(client, record):
    return client.get(reverse("scheduling:session_record", args=[record.appointment_id]))


def ready_to_dose(record):
    record.escort_confirmed = record.fasting_kept = record.no_health_changes = True
    record.systolic, record.diastolic, record.heart_rate, record.spo2 = 120, 80, 70, 98
    record.vitals_at = record.appointment.starts_at + datetime.timedelta(minutes=2)
    record.save()


def test_a_session_dose_is_drawn_from_a_vial_and_its_lot_taken(client_for, nurse, vial, record):
    ready_to_dose(record)
    client = client_for(nurse)
    assert "Controlled substance: drawn from stock" in session_page(client, record).text

    response = client.post(
        reverse("controlled:record_draw", args=[record.appointment_id]),
        {"container": vial.pk, "mg": "35"},
        follow=True,
    )

    assert "The draw is recorded" in " ".join(messages_of(response))
    entry = LedgerEntry.objects.get(kind=EntryKind.ADMINISTRATION)
    assert (entry.mg, entry.recorded_by, entry.patient) == (
        Decimal(-35),
        nurse,
        record.appointment.patient,
    )
    assert f'value="{vial.lot_number}"' in response.text  # the dose form's lot
    assert 'name="amount" value="35"' in response.text  # and what was given, in mg


def test_a_draw_above_what_remains_says_what_remains_and_keeps_the_amount(
    client_for, nurse, vial, record
):
    client = client_for(nurse)
    response = client.post(
        reverse("controlled:record_draw", args=[record.appointment_id]),
        {"container": vial.pk, "mg": "600"},
        follow=True,
    )
    assert "Only 500 mg (10 mL) remain" in " ".join(messages_of(response))
    assert 'value="600"' in response.text
    assert not LedgerEntry.objects.filter(kind=EntryKind.ADMINISTRATION).exists()


def test_an_expired_vial_cannot_be_drawn_from_the_record_page(client_for, nurse, record):
    old = receive(expires_on=timezone.localdate() - datetime.timedelta(days=3))[0]
    response = client_for(nurse).post(
        reverse("controlled:record_draw", args=[record.appointment_id]),
        {"container": old.pk, "mg": "35"},
        follow=True,
    )
    assert "expired on" in " ".join(messages_of(response))


def test_the_rest_of_the_vial_is_wasted_before_a_witness(
    client_for, nurse, colleague, vial, record
):
    administrations.dose_draw(record=record, container=vial, mg=Decimal(35), by=nurse)
    client = client_for(nurse)
    page = session_page(client, record)
    assert "465 mg (9.3 mL) left" in page.text

    response = client.post(
        reverse("controlled:record_waste", args=[record.appointment_id]),
        {"container": vial.pk, "mg": "465", "reason": "Single-dose vial"}
        | witness_fields(colleague),
        follow=True,
    )

    assert "The waste is recorded" in " ".join(messages_of(response))
    waste = LedgerEntry.objects.get(kind=EntryKind.WASTE)
    assert (waste.recorded_by, waste.witness, waste.mg) == (nurse, colleague, Decimal(-465))
    assert ledger.balance(vial)[0] == 0


def test_a_witness_cannot_be_the_person_wasting(client_for, nurse, vial, record):
    app_device(nurse)
    administrations.dose_draw(record=record, container=vial, mg=Decimal(35), by=nurse)
    response = client_for(nurse).post(
        reverse("controlled:record_waste", args=[record.appointment_id]),
        {"container": vial.pk, "mg": "465", "reason": "Single-dose vial"} | witness_fields(nurse),
        follow=True,
    )
    assert "someone other than you" in " ".join(messages_of(response))
    assert not LedgerEntry.objects.filter(kind=EntryKind.WASTE).exists()


def discharged(record, nurse, dose=Decimal(35)):
    start = record.appointment.starts_at
    record.escort_confirmed = record.fasting_kept = record.no_health_changes = True
    record.systolic, record.diastolic, record.heart_rate, record.spo2 = 120, 80, 70, 98
    record.vitals_at = start + datetime.timedelta(minutes=2)
    record.dose_amount, record.dose_unit = dose, "mg"
    record.dose_started_at = start + datetime.timedelta(minutes=5)
    record.dose_ended_at = start + datetime.timedelta(minutes=10)
    record.discharged_at = start + datetime.timedelta(minutes=55)
    record.discharge_criteria_met = record.released_to_escort = True
    record.save()
    return record


def test_a_dose_not_drawn_from_stock_cannot_be_signed(client_for, nurse, vial, record):
    discharged(record, nurse)
    client = client_for(nurse)
    sign = reverse("scheduling:session_record_sign", args=[record.appointment_id])

    refused = client.post(sign, follow=True)
    assert "Record which container the dose was drawn from" in " ".join(messages_of(refused))
    record.refresh_from_db()
    assert record.signed_at is None

    administrations.dose_draw(record=record, container=vial, mg=Decimal(30), by=nurse)
    short = client.post(sign, follow=True)
    assert "The dose is 35 mg but 30 mg was drawn" in " ".join(messages_of(short))

    administrations.dose_draw(record=record, container=vial, mg=Decimal(5), by=nurse)
    client.post(sign)
    record.refresh_from_db()
    assert record.signed_at is not None
    assert record.lot_number == vial.lot_number


def test_the_daily_count_with_a_difference_waits_for_a_provider(
    client_for, nurse, colleague, provider, vial, record
):
    administrations.dose_draw(record=record, container=vial, mg=Decimal(100), by=nurse)
    client = client_for(nurse)
    query = f"?kind=daily&location={vial.location_id}"
    form = client.get(reverse("controlled:count_new") + query)
    assert f"#{vial.label}" in form.text

    unexplained = client.post(
        reverse("controlled:count_new") + query,
        {f"ml_{vial.pk}": "7.5", f"why_{vial.pk}": ""} | witness_fields(colleague),
    )
    assert "Explain the difference" in unexplained.text
    assert 'value="7.5"' in unexplained.text
    assert not Count.objects.exists()

    saved = client.post(
        reverse("controlled:count_new") + query,
        {f"ml_{vial.pk}": "7.5", f"why_{vial.pk}": "Spilled when drawing"}
        | witness_fields(colleague, steps_ahead=1),
    )
    count = Count.objects.get()
    assert saved.url == reverse("controlled:count", args=[count.pk])
    line = count.lines.get()
    assert (line.expected_ml, line.counted_ml) == (Decimal(8), Decimal("7.5"))
    assert "1 count difference" in client.get(reverse("home")).text
    assert "Spilled when drawing" in client.get(reverse("followups:worklist")).text or (
        "1 count difference" in client.get(reverse("followups:worklist")).text
    )

    assert client.post(reverse("controlled:line_resolve", args=[line.pk])).status_code == 403
    resolved = client_for(provider).post(
        reverse("controlled:line_resolve", args=[line.pk]),
        {"note": "Spill confirmed with the nurse", "adjust": "on"},
    )
    assert resolved.status_code == 302
    assert ledger.balance(vial) == (Decimal(375), Decimal("7.5"))
    assert LedgerEntry.objects.get(kind=EntryKind.ADJUSTMENT).count_line == line
    assert "count difference" not in client_for(provider).get(reverse("home")).text


def test_a_loss_shows_its_one_business_day_deadline_until_dea_is_told(client_for, nurse, vial):
    client = client_for(nurse)
    now = timezone.localtime()
    response = client.post(
        reverse("controlled:loss_new"),
        {
            "kind": LossReport.Kind.THEFT,
            "container": vial.pk,
            "mg": "500",
            "discovered_on": now.date().isoformat(),
            "discovered_time": (now - datetime.timedelta(minutes=10)).strftime("%H:%M"),
            "description": "Vial missing from the safe at the evening count",
            "police_notified": "on",
            "police_report": "24-1187",
        },
    )
    report = LossReport.objects.get()
    assert response.url == reverse("controlled:loss", args=[report.pk])
    assert "Tell DEA in writing by" in client.get(response.url).text
    before = client.post(
        reverse("controlled:loss_reported", args=[report.pk]),
        {"reported_on": (now.date() - datetime.timedelta(days=2)).isoformat(), "reference": "x"},
    )
    assert "DEA was told after that" in before.text
    worklist = client.get(reverse("followups:worklist"))
    assert "tell DEA in writing by" in worklist.text
    client.post(
        reverse("controlled:loss_reported", args=[report.pk]),
        {"reported_on": now.date().isoformat(), "reference": "DEA-106-7781"},
    )
    assert "tell DEA in writing by" not in client.get(reverse("followups:worklist")).text
    assert ledger.balance(vial)[0] == 0


def test_a_wrong_entry_is_reversed_from_the_container_page(client_for, nurse, vial, record):
    entry = administrations.dose_draw(record=record, container=vial, mg=Decimal(50), by=nurse)
    client = client_for(nurse)
    blank = client.post(reverse("controlled:entry_correct", args=[entry.pk]), {"reason": ""})
    assert blank.status_code == 200
    assert "is-invalid" in blank.text
    client.post(reverse("controlled:entry_correct", args=[entry.pk]), {"reason": "Wrong vial"})
    assert ledger.balance(vial)[0] == Decimal(500)
    page = client.get(reverse("controlled:container", args=[vial.pk]))
    assert "corrected" in page.text


def test_the_stock_page_reads_the_same_number_of_queries_however_much_is_held(
    client_for, nurse, django_assert_num_queries
):
    receive(count=2)
    client = client_for(nurse)
    client.get(reverse("controlled:stock"))  # warm the session and the clinic settings
    with django_assert_num_queries(9) as small:
        client.get(reverse("controlled:stock"))
    receive(count=30, location=safe("Pharmacy cabinet"), lot="KX2")
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(reverse("controlled:stock"))


def test_the_draw_panel_reads_a_fixed_number_of_queries(
    client_for, nurse, vial, record, django_assert_num_queries
):
    client = client_for(nurse)
    session_page(client, record)
    administrations.dose_draw(record=record, container=vial, mg=Decimal(5), by=nurse)
    with django_assert_num_queries(16) as one:
        session_page(client, record)
    for container in receive(count=3, lot="KX3"):
        administrations.dose_draw(record=record, container=container, mg=Decimal(5), by=nurse)
    with django_assert_num_queries(len(one.captured_queries)):
        session_page(client, record)


def test_containers_left_by_a_count_race_are_refused(nurse, colleague, vial):
    """A container received between opening the count and saving it: count again."""
    with pytest.raises(Exception, match="added to this location while you were counting"):
        count_save(
            kind=CountKind.MONTHLY,
            location=vial.location,
            counted={},
            by=nurse,
            second_counter=colleague,
        )
    assert not CountLine.objects.exists()
    assert Container.objects.count() == 1


def grown(nurse, vial, record, rounds):
    """More of everything each page lists: draws, counts and their lines."""
    from tests.factories import UserFactory

    for _ in range(rounds):
        administrations.dose_draw(record=record, container=vial, mg=Decimal(1), by=nurse)
        count_save(
            kind=CountKind.DAILY,
            location=vial.location,
            counted={
                container: (ledger.balance(container)[1] - Decimal("0.1"), "short")
                for container in Container.objects.in_stock().opened()
            },
            by=nurse,
            second_counter=UserFactory(role="Nurse"),
        )


def test_the_container_and_count_pages_read_a_fixed_number_of_queries(
    client_for, nurse, vial, record, django_assert_num_queries
):
    client = client_for(nurse)
    grown(nurse, vial, record, 1)
    count = Count.objects.latest("pk")
    pages = [
        reverse("controlled:container", args=[vial.pk]),
        reverse("controlled:count", args=[count.pk]),
        reverse("controlled:count_list"),
        reverse("home"),
    ]
    client.get(pages[0])
    used = {}
    for url in pages:
        with CaptureQueriesContext(connection) as before:
            client.get(url)
        used[url] = len(before.captured_queries)
    assert list(used.values()) == [12, 9, 10, 42]  # the container page logs its read
    receive(count=3, lot="KX5")
    for container in Container.objects.filter(lot_number="KX5"):
        administrations.dose_draw(record=record, container=container, mg=Decimal(1), by=nurse)
    grown(nurse, vial, record, 3)
    pages[1] = reverse("controlled:count", args=[Count.objects.latest("pk").pk])
    for url, before in zip(pages, used.values(), strict=True):
        with django_assert_num_queries(before):
            client.get(url)


def test_a_count_still_lines_a_vial_the_ledger_emptied_while_the_page_was_open(
    client_for, nurse, colleague, vial, record
):
    """The vial wasted in the ledger but still on the shelf is what a count must find."""
    administrations.dose_draw(record=record, container=vial, mg=Decimal(100), by=nurse)
    client = client_for(nurse)
    query = f"?kind=daily&location={vial.location_id}"
    assert f"#{vial.label}" in client.get(reverse("controlled:count_new") + query).text
    ledger.container_waste(
        container=vial, mg=Decimal(400), reason="Wasted", by=nurse, witness=colleague
    )

    client.post(
        reverse("controlled:count_new") + query,
        {"shown": str(vial.pk), f"ml_{vial.pk}": "8", f"why_{vial.pk}": "Still on the shelf"}
        | witness_fields(colleague, steps_ahead=1),
    )

    line = CountLine.objects.get()
    assert (line.container, line.expected_ml, line.counted_ml) == (vial, 0, 8)


def test_the_same_ml_counted_as_the_ledger_holds_is_no_difference(nurse, colleague, record):
    product = ketamine_50(
        ndc="0409-2053-10",
        name="Ketamine 100 mg/mL",
        mg_per_ml=Decimal(100),
        container_ml=Decimal(5),
    )
    vial = receive(product=product)[0]
    administrations.dose_draw(record=record, container=vial, mg=Decimal("36.65"), by=nurse)
    mg, ml = ledger.balance(vial)
    count = count_save(
        kind=CountKind.DAILY,
        location=vial.location,
        counted={vial: (ml, "")},
        by=nurse,
        second_counter=colleague,
    )
    assert not count.lines.discrepancies().exists()
    assert count.lines.get().counted_mg == mg


def test_a_locked_out_witness_is_refused_in_words_and_the_nurse_keeps_the_page(
    client_for, nurse, colleague, settings
):
    from axes.models import AccessAttempt

    client = client_for(nurse)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(
            reverse("controlled:receive"),
            delivery() | witness_fields(colleague, password="Correct-horse-batterx"),
        )
        assert response.status_code == 200
    assert "locked after repeated wrong passwords" in response.text
    assert 'value="INV-2041"' in response.text
    stored = " ".join(AccessAttempt.objects.values_list("post_data", flat=True))
    assert "Correct-horse-batterx" not in stored
    assert client.get(reverse("controlled:stock")).status_code == 200


def test_expired_vials_go_back_to_a_reverse_distributor_with_its_registration(
    client_for, nurse, colleague
):
    from controlled.models import Disposal

    old = receive(count=2, expires_on=timezone.localdate() - datetime.timedelta(days=1))
    client = client_for(nurse)
    data = {
        "kind": Disposal.Kind.RETURN,
        "containers": [container.pk for container in old],
        "on": timezone.localdate().isoformat(),
        "reverse_distributor": "Returns Co",
        "reverse_distributor_address": "2 Dock St, Reno, NV",
        "reverse_distributor_dea_number": "AB1234564",  # wrong check digit
    }

    wrong = client.post(reverse("controlled:disposal_new"), data | witness_fields(colleague))
    assert "does not check out" in wrong.text
    assert not Disposal.objects.exists()

    client.post(
        reverse("controlled:disposal_new"),
        data
        | {"reverse_distributor_dea_number": "AB1234563"}
        | witness_fields(colleague, steps_ahead=1),
    )
    disposal = Disposal.objects.get()
    assert (disposal.recorded_by, disposal.witness) == (nurse, colleague)
    assert [ledger.balance(container)[0] for container in old] == [0, 0]
    assert LedgerEntry.objects.filter(disposal=disposal, kind=EntryKind.RETURN).count() == 2


def test_a_destruction_on_site_needs_its_method(client_for, nurse, colleague, vial):
    from controlled.models import Disposal

    response = client_for(nurse).post(
        reverse("controlled:disposal_new"),
        {
            "kind": Disposal.Kind.DESTRUCTION,
            "containers": [vial.pk],
            "on": timezone.localdate().isoformat(),
        }
        | witness_fields(colleague),
    )
    assert "Say how it was destroyed" in response.text
    assert ledger.balance(vial)[0] == 500


def test_starting_a_count_puts_no_token_in_the_address(client_for, nurse):
    page = client_for(nurse).get(reverse("controlled:count_list"))
    start = page.text.split('action="/controlled/counts/new/"')[1].split("</form>")[0]
    assert "csrfmiddlewaretoken" not in start


def test_a_recovery_code_confirms_a_witness_without_an_app_at_hand(client_for, nurse, colleague):
    from tests.two_factor import recovery_code

    response = client_for(nurse).post(
        reverse("controlled:receive"),
        delivery() | witness_fields(colleague) | {"witness_code": recovery_code(colleague)},
    )
    assert response.status_code == 302
    assert Receipt.objects.get().checked_by == colleague
