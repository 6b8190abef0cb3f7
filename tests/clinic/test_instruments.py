import pytest

from clinic.instruments import GAD7, PHQ9, phq9_self_harm_risk, score, severity_band


def answers_totalling(instrument, total):
    """Item answers (each 0–3) that add up to `total`, filling the first items first."""
    answers = []
    for _item in instrument.items:
        answer = min(3, total - sum(answers))
        answers.append(answer)
    return answers


PHQ9_EDGES = [
    (0, "Minimal"),
    (4, "Minimal"),
    (5, "Mild"),
    (9, "Mild"),
    (10, "Moderate"),
    (14, "Moderate"),
    (15, "Moderately severe"),
    (19, "Moderately severe"),
    (20, "Severe"),
    (27, "Severe"),
]
GAD7_EDGES = [
    (0, "Minimal"),
    (4, "Minimal"),
    (5, "Mild"),
    (9, "Mild"),
    (10, "Moderate"),
    (14, "Moderate"),
    (15, "Severe"),
    (21, "Severe"),
]


@pytest.mark.parametrize(("total", "band"), PHQ9_EDGES)
def test_phq9_band_at_each_published_cut_off(total, band):
    assert score(PHQ9, answers_totalling(PHQ9, total)) == (total, band)


@pytest.mark.parametrize(("total", "band"), GAD7_EDGES)
def test_gad7_band_at_each_published_cut_off(total, band):
    assert score(GAD7, answers_totalling(GAD7, total)) == (total, band)


@pytest.mark.parametrize(("instrument", "total"), [(PHQ9, -1), (PHQ9, 28), (GAD7, 22)])
def test_a_total_outside_the_scale_has_no_band(instrument, total):
    with pytest.raises(ValueError, match="totals run from 0"):
        severity_band(instrument, total)


@pytest.mark.parametrize("answers", [[1] * 8, [1] * 10, [0] * 8 + [4], [0] * 8 + [-1]])
def test_phq9_refuses_answers_that_are_not_nine_items_from_0_to_3(answers):
    with pytest.raises(ValueError):
        score(PHQ9, answers)


def test_score_refuses_booleans_as_answers():
    with pytest.raises(ValueError):
        score(GAD7, [True] * 7)


def test_item_9_above_zero_is_a_self_harm_risk_whatever_the_total():
    assert phq9_self_harm_risk([0] * 8 + [1])


def test_a_severe_total_with_item_9_at_zero_is_not_a_self_harm_risk():
    assert not phq9_self_harm_risk([3] * 8 + [0])


def test_score_is_a_named_result():
    result = score(PHQ9, [1] * 9)

    assert (result.total, result.band) == (9, "Mild")
