"""Results arithmetic on known data: CSAT top-2-box, NPS, CES mean, choice counts, response rate,
and the splits by week and by incident."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.surveys.conftest import invite, make_survey

pytestmark = pytest.mark.django_db

KINDS = [
    {"kind": "csat", "text_en": "Satisfied?"},
    {"kind": "nps", "text_en": "Recommend?"},
    {"kind": "ces", "text_en": "Easy?"},
    {
        "kind": "multiple_choice",
        "text_en": "Value?",
        "required": False,
        "options": [("Price", "Harga"), ("Service", "Layanan"), ("Quality", "Kualitas")],
    },
]
INCIDENT = uuid.UUID("11111111-2222-3333-4444-555555555555")


def _answer(survey, q, csat, nps, ces, options=(), incident_id=None, at=None):
    from surveys.models import Response
    from surveys.services import response_submit

    invitation, _ = invite(survey, incident_id=incident_id)
    multi = list(q["multiple_choice"].options.all())
    answers = {q["csat"].pk: csat, q["nps"].pk: nps, q["ces"].pk: ces}
    if options:
        answers[q["multiple_choice"].pk] = [multi[i].pk for i in options]
    response = response_submit(invitation_id=invitation.pk, answers=answers, language="en")
    if at:
        Response.objects.filter(pk=response.pk).update(submitted_at=at)


@pytest.fixture
def known(in_brand_a):
    survey = make_survey(kinds=KINDS)
    q = {x.kind: x for x in survey.questions.prefetch_related("options")}
    week1 = datetime(2026, 11, 3, 9, tzinfo=UTC)  # a Tuesday
    week2 = week1 + timedelta(days=7)
    # csat: 5,4,3,2,1 -> top-2 = 2/5 = 40.0 %
    # nps: 10,9,8,7,0 -> promoters 2, passives 2, detractors 1 -> 40 % - 20 % = 20.0
    # ces: 7,6,5,4,3 -> mean 5.0
    _answer(survey, q, 5, 10, 7, options=(0, 1), incident_id=INCIDENT, at=week1)
    _answer(survey, q, 4, 9, 6, options=(1,), incident_id=INCIDENT, at=week1)
    _answer(survey, q, 3, 8, 5, options=(1, 2), at=week2)
    _answer(survey, q, 2, 7, 4, at=week2)
    _answer(survey, q, 1, 0, 3, at=week2)
    invite(survey)  # unanswered, no incident
    invite(survey, incident_id=INCIDENT)  # unanswered, about the incident
    invite(survey)
    return survey


def _results(survey):
    from surveys.results import survey_results

    return survey_results(survey_id=survey.pk, timezone_name="Asia/Jakarta")


def test_csat_is_the_top_two_box_share(known):
    assert _results(known)["csat"] == {"answers": 5, "top2": 2, "score": 40.0}


def test_nps_is_promoters_minus_detractors(known):
    assert _results(known)["nps"] == {
        "answers": 5,
        "promoters": 2,
        "passives": 2,
        "detractors": 1,
        "score": 20.0,
    }


def test_ces_is_the_mean(known):
    assert _results(known)["ces"] == {"answers": 5, "mean": 5.0}


def test_response_rate_against_invitations(known):
    results = _results(known)
    assert (results["invitations"], results["responses"], results["response_rate"]) == (8, 5, 62.5)


def test_choice_counts(known):
    multi = next(q for q in _results(known)["questions"] if q["kind"] == "multiple_choice")
    assert multi["answers"] == 3  # respondents, not ticks
    assert [(o["text_en"], o["count"], o["share"]) for o in multi["options"]] == [
        ("Price", 1, 33.3),
        ("Service", 3, 100.0),
        ("Quality", 1, 33.3),
    ]


def test_scale_distribution(known):
    csat = next(q for q in _results(known)["questions"] if q["kind"] == "csat")
    assert [d["count"] for d in csat["distribution"]] == [1, 1, 1, 1, 1] and csat["mean"] == 3.0


def test_split_by_week(known):
    weeks = _results(known)["by_week"]
    assert [w["week"] for w in weeks] == ["2026-11-02", "2026-11-09"]
    first, second = weeks
    assert first["responses"] == 2 and first["csat"]["score"] == 100.0 and first["nps"]["score"] == 100.0
    assert second["responses"] == 3 and second["csat"]["score"] == 0.0
    assert second["nps"]["score"] == -33.3 and second["ces"]["mean"] == 4.0


def test_split_by_incident(known):
    rows = {r["incident_id"]: r for r in _results(known)["by_incident"]}
    about = rows[str(INCIDENT)]
    assert (about["invitations"], about["responses"], about["response_rate"]) == (3, 2, 66.7)
    assert about["csat"]["score"] == 100.0 and about["ces"]["mean"] == 6.5
    other = rows[None]
    assert (other["invitations"], other["responses"]) == (5, 3)
    assert other["nps"] == {"answers": 3, "promoters": 0, "passives": 2, "detractors": 1, "score": -33.3}


def test_empty_survey_has_no_scores(in_brand_a):
    results = _results(make_survey(kinds=KINDS))
    assert (
        results["csat"]["score"] is None
        and results["nps"]["score"] is None
        and results["ces"]["mean"] is None
    )
    assert results["response_rate"] is None and results["by_week"] == []
