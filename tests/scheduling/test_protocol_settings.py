"""Protocols in the clinic settings, in plain fields."""

import pytest
from django.urls import reverse

from scheduling.models import Protocol

pytestmark = pytest.mark.django_db


def protocol_data(protocol, **changes):
    return {
        "name": protocol.name,
        "session_count": protocol.session_count,
        "minimum_hours_between": protocol.minimum_hours_between,
        "description": protocol.description,
        "active": "on",
        **changes,
    }


def test_an_admin_changes_a_series_phases_in_rows(client_for, clinic_admin):
    protocol = Protocol.objects.get(name="IV induction")
    client = client_for(clinic_admin)
    assert (
        "6 sessions: 3/week for 2 weeks"
        in client.get(reverse("scheduling:settings_protocols")).text
    )

    response = client.post(
        reverse("scheduling:settings_protocol_edit", args=[protocol.pk]),
        protocol_data(protocol, session_count=8, weeks_1=2, per_week_1=3, weeks_2=2, per_week_2=1),
    )

    assert response.status_code == 302
    protocol.refresh_from_db()
    assert protocol.session_count == 8
    assert protocol.phases == [{"weeks": 2, "per_week": 3}, {"weeks": 2, "per_week": 1}]


@pytest.mark.parametrize(
    ("rows", "said"),
    [
        ({}, "Give at least one phase."),
        ({"weeks_1": 2}, "Give both the weeks and the sessions a week."),
        ({"weeks_1": 40, "per_week_1": 2}, "less than or equal to 14"),
    ],
)
def test_phases_that_make_no_series_are_explained(client_for, clinic_admin, rows, said):
    protocol = Protocol.objects.get(name="IV induction")
    before = protocol.phases
    response = client_for(clinic_admin).post(
        reverse("scheduling:settings_protocol_edit", args=[protocol.pk]),
        protocol_data(protocol, **rows),
    )
    assert response.status_code == 200
    assert said in response.text
    protocol.refresh_from_db()
    assert protocol.phases == before
