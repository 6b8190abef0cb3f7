"""The patient page's follow-up section: the trend chart with 0, 1 and 50 scores."""

import datetime

import pytest
from django.urls import reverse

from clinic.measures import measure_record
from clinic.models import MeasureSource

pytestmark = pytest.mark.django_db

START = datetime.datetime(2025, 1, 6, 12, tzinfo=datetime.UTC)


def scores(patient, count):
    for n in range(count):
        total = 20 - (n % 15)
        measure_record(
            patient=patient,
            instrument_code="phq9",
            answers=[min(3, max(0, total - 3 * i)) for i in range(8)] + [0],
            source=MeasureSource.STAFF,
            taken_at=START + datetime.timedelta(days=7 * n),
        )


def test_with_no_scores_the_page_says_so(client_for, provider, patient):
    response = client_for(provider).get(reverse("clinic:patient_detail", args=[patient.pk]))

    assert "No questionnaire scores yet." in response.text
    assert "<svg" not in response.text


def test_with_one_score_the_chart_shows_the_baseline(client_for, provider, patient):
    scores(patient, 1)

    response = client_for(provider).get(reverse("clinic:patient_detail", args=[patient.pk]))

    assert response.text.count('class="trend-marker trend-marker-phq9"') == 1
    assert "PHQ-9 baseline <strong>20</strong>" in response.text


def test_with_fifty_scores_every_point_is_drawn_and_listed(client_for, provider, patient):
    scores(patient, 50)

    response = client_for(provider).get(reverse("clinic:patient_detail", args=[patient.pk]))

    assert response.text.count('class="trend-marker trend-marker-phq9"') == 50
    assert response.text.count('<th scope="row">') == 50


def test_a_response_from_baseline_is_marked(client_for, provider, patient):
    scores(patient, 12)  # 20 down to 9: at least half

    response = client_for(provider).get(reverse("clinic:patient_detail", args=[patient.pk]))

    assert 'badge text-bg-success ms-1">Response' in response.text


def test_the_front_desk_does_not_see_scores(client_for, front_desk, patient):
    scores(patient, 3)

    response = client_for(front_desk).get(reverse("clinic:patient_detail", args=[patient.pk]))

    assert "Follow-ups and outcomes" in response.text
    assert "<svg" not in response.text


@pytest.mark.parametrize("count", [1, 50])
def test_patient_page_query_count_does_not_grow_with_scores(
    client_for, provider, patient, count, django_assert_num_queries
):
    scores(patient, count)
    client = client_for(provider)
    url = reverse("clinic:patient_detail", args=[patient.pk])
    client.get(url)

    # 20 reads (the verified device among them), and the one insert of the read log.
    with django_assert_num_queries(21):
        client.get(url)
