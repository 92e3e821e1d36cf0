"""Survey builders shared by the survey tests: an open survey with one question of every type, and
invitations with their raw tokens."""

import pytest

from tests.browser import browser_page, committed_live_server  # noqa: F401

ALL_KINDS = [
    {"kind": "csat", "text_en": "How satisfied are you?", "text_id": "Seberapa puas Anda?"},
    {
        "kind": "nps",
        "text_en": "Would you recommend us?",
        "text_id": "Apakah Anda akan merekomendasikan kami?",
    },
    {"kind": "ces", "text_en": "How easy was it?", "text_id": "Seberapa mudah?", "required": False},
    {
        "kind": "single_choice",
        "text_en": "Was it resolved?",
        "text_id": "Apakah sudah selesai?",
        "options": [("Yes", "Ya"), ("No", "Tidak")],
    },
    {
        "kind": "multiple_choice",
        "text_en": "What do you value?",
        "text_id": "Apa yang Anda hargai?",
        "required": False,
        "options": [("Price", "Harga"), ("Service", "Layanan"), ("Quality", "Kualitas")],
    },
    {"kind": "short_text", "text_en": "Your city", "text_id": "Kota Anda", "required": False},
    {"kind": "long_text", "text_en": "Tell us more", "text_id": "Ceritakan lebih lanjut", "required": False},
    {
        "kind": "consent",
        "text_en": "May we quote you?",
        "text_id": "Bolehkah kami mengutip Anda?",
        "required": False,
    },
]


def make_survey(*, kinds=None, open_now=True, title="Complaint follow-up"):
    from surveys.services import survey_create, survey_open

    survey = survey_create(title_en=title, title_id="Tindak lanjut keluhan", questions=kinds or ALL_KINDS)
    return survey_open(survey_id=survey.pk) if open_now else survey


def invite(survey, *, send_email=False, **recipient):
    from surveys.services import invitation_create

    recipient.setdefault("name", "Sari")
    recipient.setdefault("email", "sari@example.com")
    return invitation_create(survey_id=survey.pk, send_email=send_email, **recipient)


def questions_by_kind(survey) -> dict:
    return {q.kind: q for q in survey.questions.prefetch_related("options")}


def valid_post(survey, *, hidden=True, **overrides) -> dict:
    """A complete, valid submission of the all-kinds survey as form data, with the page's hidden
    fields (survey, questions version, language) as a browser sends them unless hidden=False."""
    from surveys.forms import field_name
    from surveys.models import Survey

    q = questions_by_kind(survey)
    single = list(q["single_choice"].options.all())
    multi = list(q["multiple_choice"].options.all())
    data = {
        field_name(q["csat"]): "5",
        field_name(q["nps"]): "10",
        field_name(q["ces"]): "6",
        field_name(q["single_choice"]): str(single[0].pk),
        field_name(q["multiple_choice"]): [str(multi[0].pk), str(multi[2].pk)],
        field_name(q["short_text"]): "Bandung",
        field_name(q["long_text"]): "Fast and friendly.",
        field_name(q["consent"]): "first_name",
    }
    if hidden:
        data.update(s=str(survey.pk), v=str(Survey.objects.get(pk=survey.pk).questions_version), l="en")
    for kind, value in overrides.items():
        data[field_name(q[kind])] = value
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def survey_a(in_brand_a):
    return make_survey()
