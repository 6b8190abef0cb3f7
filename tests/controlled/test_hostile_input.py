"""Every controlled-substance form, fed what a hostile or careless hand might send: a plain
answer each time, never a server error, and nothing written to the ledger."""

import pytest
from django.urls import reverse

from controlled.models import Count, LedgerEntry, LossReport
from tests.controlled.factories import receive
from tests.two_factor import app_device

pytestmark = pytest.mark.django_db

JUNK = [
    {},
    {"mg": "abc", "container": "x"},
    {"mg": "-5", "container": "-1"},
    {"mg": "9" * 40, "container": "9" * 40},
    {"mg": "1e400", "reason": "A" * 5000},
    {"mg": "NaN", "to": "'; DROP TABLE controlled_ledgerentry; --"},
    {"reason": "\u202egnorw", "witness_email": "not-an-email", "witness_code": "x" * 500},
    {"kind": "nonsense", "location": "[]", "discovered_on": "31/31/31", "discovered_time": "25:99"},
    {"containers": ["a", "-1"], "on": "9999-99-99", "reverse_distributor_dea_number": "ZZ"},
    {
        "invoice_number": "<script>alert(1)</script>",
        "description": "<script>alert(1)</script>",
        "adjust": "maybe",
        "reported_on": "tomorrow",
    },
]


@pytest.fixture
def urls(nurse, record, vial):
    from controlled import administrations
    from controlled.counts import count_save
    from controlled.models import CountKind
    from tests.factories import UserFactory

    administrations.dose_draw(record=record, container=vial, mg=35, by=nurse)
    other = receive()[0]
    count = count_save(
        kind=CountKind.MONTHLY,
        location=other.location,
        counted={vial: (1, "spilled"), other: (10, "")},
        by=nurse,
        second_counter=UserFactory(role="Nurse"),
    )
    line = count.lines.get(container=vial)
    return [
        reverse("controlled:receive"),
        reverse("controlled:container_waste", args=[vial.pk]),
        reverse("controlled:container_transfer", args=[vial.pk]),
        reverse("controlled:entry_correct", args=[vial.entries.last().pk]),
        reverse("controlled:record_draw", args=[record.appointment_id]),
        reverse("controlled:record_waste", args=[record.appointment_id]),
        reverse("controlled:count_new") + f"?kind=daily&location={vial.location_id}",
        reverse("controlled:count_new") + "?kind=<b>&location=abc",
        reverse("controlled:loss_new"),
        reverse("controlled:disposal_new"),
    ], reverse("controlled:line_resolve", args=[line.pk])


@pytest.mark.parametrize("junk", JUNK)
def test_junk_on_every_form_gets_a_plain_answer_and_writes_nothing(
    client_for, nurse, provider, urls, junk
):
    nurse_urls, resolve_url = urls
    app_device(provider)
    entries, counts, losses = (
        LedgerEntry.objects.count(),
        Count.objects.count(),
        LossReport.objects.count(),
    )
    posts = [(nurse, url) for url in nurse_urls] + [(provider, resolve_url)]
    for user, url in posts:
        response = client_for(user).post(url, junk)
        assert response.status_code in (200, 302), (url, response.status_code)
        if response.status_code == 200:
            assert "<script>alert(1)</script>" not in response.text
    assert LedgerEntry.objects.count() == entries
    assert (Count.objects.count(), LossReport.objects.count()) == (counts, losses)


def test_a_page_for_a_record_or_container_that_does_not_exist_is_not_found(client_for, nurse):
    client = client_for(nurse)
    assert client.get(reverse("controlled:container", args=[999999])).status_code == 404
    assert client.post(reverse("controlled:record_draw", args=[999999]), {}).status_code == 404
