"""Erasing a care customer reaches the brand's survey invitations of the same person (by the
case's survey, email, phone or handle) and nothing of another person or another brand."""

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from incidents.services import care
from surveys.models import Answer, Invitation, InvitationLink, Question
from surveys.services import invitation_create, response_submit, survey_create, survey_open
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_mention

pytestmark = pytest.mark.django_db

EMAIL = "siti.rahma@example.com"
PHONE = "+6281234567890"


def _survey():
    survey = survey_create(
        title_en="After care",
        title_id="Setelah layanan",
        questions=[
            {"kind": "csat", "text_en": "How satisfied?", "text_id": "Seberapa puas?"},
            {"kind": "long_text", "text_en": "Anything else?", "text_id": "Ada lagi?", "required": False},
        ],
    )
    return survey_open(survey_id=survey.pk)


def _rows_naming(*values) -> dict[str, int]:
    found = {}
    with connection.cursor() as cursor:
        for table in (
            "surveys_invitation",
            "surveys_invitationemail",
            "surveys_answer",
            "surveys_testimonialcandidate",
        ):
            for value in values:
                cursor.execute(
                    f"SELECT count(*) FROM {table} t WHERE row_to_json(t)::text ILIKE %s",  # noqa: S608
                    [f"%{value}%"],
                )
                if count := cursor.fetchone()[0]:
                    found[f"{table}:{value}"] = count
    return found


def test_erasing_a_care_customer_erases_them_from_survey_invitations_and_answers(ayu, in_brand_a, brand_b):
    survey = _survey()
    complaint = make_mention(author_handle="siti_r", text="Pesanan saya tidak datang")
    case = care.care_case_open(
        actor=ayu, mention_ids=[complaint.pk], customer_email=EMAIL, customer_phone=PHONE
    )
    case = care.care_case_close(actor=ayu, case_id=case.pk, state="resolved", survey_id=survey.pk)
    by_case = Invitation.objects.get(pk=case.survey_invitation_id)
    text_q = Question.objects.get(survey=survey, kind="long_text")
    csat_q = Question.objects.get(survey=survey, kind="csat")
    response_submit(
        invitation_id=by_case.pk, answers={csat_q.pk: 5, text_q.pk: f"Call me on {PHONE}"}, language="id"
    )
    # The same person surveyed earlier by phone only, and someone else by email.
    by_phone, _link = invitation_create(survey_id=survey.pk, phone=PHONE, name="Siti", send_email=False)
    other, _link = invitation_create(survey_id=survey.pk, email="other@example.com", send_email=False)
    with tenant_context(brand_b):  # another brand's invitation of the same address stays
        b_survey = _survey()
        b_invitation, _link = invitation_create(survey_id=b_survey.pk, email=EMAIL, send_email=False)
    connection.set_tenant(in_brand_a)

    care.care_case_erase(actor=ayu, case_id=case.pk)

    assert _rows_naming(EMAIL, PHONE, "siti_r", "Siti") == {}
    for invitation in (by_case, by_phone):
        invitation.refresh_from_db()
        assert invitation.erased_at is not None and not invitation.links.exists()
    assert Answer.objects.get(response__invitation=by_case, question=csat_q).number == 5  # the score stays
    other.refresh_from_db()
    assert other.email == "other@example.com" and other.erased_at is None
    assert InvitationLink.objects.filter(invitation=other).exists()
    with tenant_context(brand_b):
        b_invitation.refresh_from_db()
        assert b_invitation.email == EMAIL and b_invitation.erased_at is None
    connection.set_tenant(in_brand_a)
