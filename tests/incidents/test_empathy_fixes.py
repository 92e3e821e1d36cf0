"""The empathy check's holes from the field: threats, legal intimidation and blame fail the
non-defensive check in both languages; a correction that promises facts has to give them; "the
brand is at fault" is a choice, never assumed."""

import pytest

from incidents.empathy import check_empathy
from incidents.models import Response
from incidents.services.responses import response_draft, response_template_save
from incidents.services.template_library import response_templates_seed_defaults
from tenants.errors import DomainError
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db


def _defensive(text: str, language: str):
    report = check_empathy(text, language=language, at_fault=False, kind="statement")
    return next(c for c in report.checks if c.code == "not_defensive")


@pytest.mark.parametrize(
    "text, language, words",
    [
        (
            "Itu hoax. Kalian yang nyebarin berita bohong akan kami tuntut. Titik.",
            "id",
            {"akan kami tuntut", "kalian yang nyebarin"},
        ),
        ("Informasi itu tidak benar, kalian yang salah.", "id", {"kalian yang salah"}),
        ("Kami akan menempuh jalur hukum terhadap akun-akun ini.", "id", {"menempuh jalur hukum"}),
        (
            "This is false. We will sue anyone spreading lies about us.",
            "en",
            {"we will sue", "spreading lies"},
        ),
        ("You are to blame for this mess, see you in court.", "en", {"you are to blame", "see you in court"}),
    ],
)
def test_threats_and_blame_fail_the_non_defensive_check(text, language, words):
    check = _defensive(text, language)
    assert not check.ok
    assert {e.lower() for e in check.evidence} >= words


def test_a_calm_correction_still_passes():
    check = _defensive(
        "Kami memahami kekhawatiran Anda. Informasi tersebut tidak benar. Berikut faktanya: semua biji "
        "kopi kami disimpan di gudang Cikarang yang tidak terdampak banjir.",
        "id",
    )
    assert check.ok


def test_a_correction_promising_facts_with_none_after_is_refused(crisis_incident, ayu):
    with pytest.raises(DomainError) as error:
        response_draft(
            actor=ayu,
            kind="statement",
            incident_id=crisis_incident.pk,
            text="Kami memahami kekhawatiran Anda. Informasi tersebut tidak benar, berikut faktanya. "
            "Kami akan memberikan informasi terbaru.",
            language="id",
            at_fault=False,
        )
    assert "text" in error.value.field_errors
    assert not Response.objects.exists()


def test_the_default_rumour_template_needs_the_facts_filled_in(crisis_incident, ayu):
    from incidents.models import ResponseTemplate

    response_templates_seed_defaults(actor=ayu)
    template = ResponseTemplate.objects.get(language="id", situation="rumour_correction")
    assert "{facts}" in template.body
    with pytest.raises(DomainError) as error:
        response_draft(
            actor=ayu,
            kind="statement",
            incident_id=crisis_incident.pk,
            template_id=template.pk,
            context={"product": "kopi susu"},
            at_fault=False,
        )
    assert "facts" in " ".join(error.value.field_errors["context"])
    draft = response_draft(
        actor=ayu,
        kind="statement",
        incident_id=crisis_incident.pk,
        template_id=template.pk,
        context={"product": "kopi susu", "facts": "Gudang Cikarang kami tidak terdampak banjir sama sekali."},
        at_fault=False,
    )
    assert "tidak terdampak banjir" in draft.text and draft.empathy_passed


def test_a_template_promising_facts_must_carry_the_placeholder(in_brand_a, ayu):
    with pytest.raises(DomainError) as error:
        response_template_save(
            actor=ayu,
            name="Klarifikasi",
            language="id",
            situation="rumour_correction",
            body="Kami memahami kekhawatiran Anda. Informasi tersebut tidak benar, berikut faktanya.",
        )
    assert "{facts}" in error.value.field_errors["body"][0]


def test_at_fault_is_not_assumed_by_the_api_or_the_war_room(crisis_incident, ayu, client_a):
    client_a.login_as(ayu)
    created = client_a.post(
        "/api/v1/responses/",
        {
            "kind": "statement",
            "incident_id": str(crisis_incident.pk),
            "text": "We understand the concern. We will update you by 17:00 with what we find.",
            "language": "en",
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["at_fault"] is False
    page = client_a.get(f"/admin/incidents/incident/{crisis_incident.pk}/war-room/").content.decode()
    assert (
        'name="at_fault" value="1" required>' in page and "checked>" not in page.split('name="at_fault"')[1]
    )
    url = f"/admin/incidents/incident/{crisis_incident.pk}/war-room/"
    client_a.post(url, {"action": "draft_response", "kind": "statement", "text": "Kami memahami."})
    assert Response.objects.count() == 1  # nothing drafted without the choice
    client_a.post(
        url, {"action": "draft_response", "kind": "statement", "text": "Kami memahami.", "at_fault": "0"}
    )
    assert Response.objects.filter(at_fault=False).count() == 2
