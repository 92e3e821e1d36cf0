"""Responses: templates, the empathy check stored with the draft, approval by the right role,
frozen approved text, webhook delivery to the integration, confirmation and time to answer."""

import pytest
from django.core.exceptions import PermissionDenied

from incidents.models import Response, WebhookDelivery
from incidents.services.responses import (
    response_approve,
    response_confirm_sent,
    response_draft,
    response_reject,
    response_submit,
    response_template_save,
    response_update,
)
from incidents.services.team import assignment_add
from incidents.services.template_library import DEFAULT_TEMPLATES
from tenants.errors import DomainError
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_mention, make_person

pytestmark = pytest.mark.django_db

GOOD_ID = (
    "Halo Kak, kami memahami kekecewaan Kakak. Mohon maaf atas kopi yang basi. "
    "Kami akan mengganti pesanan Kakak, silakan kirimkan nomor pesanan melalui DM."
)
GOOD_EN = (
    "We understand how frustrating this is. We're sorry your coffee arrived stale. "
    "We will replace your order; please DM us your order number."
)
DEFENSIVE_EN = "That's not our fault, you stored it wrong."
HOLDING_EN = (
    "We understand customers are worried about the stale coffee reports. "
    "We are investigating and will update you by 17:00 WIB."
)


def test_template_with_unknown_placeholder_is_refused_with_the_placeholder_named(in_brand_a, ayu):
    with pytest.raises(DomainError) as error:
        response_template_save(
            actor=ayu, name="Keluhan", language="id", situation="complaint", body="Halo {nama}, mohon maaf."
        )
    assert "{nama}" in error.value.field_errors["body"][0]
    assert "customer_name" in error.value.field_errors["body"][0]


def test_draft_from_template_fills_placeholders_and_stores_the_empathy_check(in_brand_a, ayu, mention):
    template = response_template_save(
        actor=ayu,
        name="Keluhan basi",
        language="id",
        situation="complaint",
        body="Halo {customer_name}, kami memahami kekecewaan Kakak. Mohon maaf atas {product} yang basi. "
        "Kami akan mengganti pesanan Kakak, silakan kirimkan nomor pesanan melalui DM. Salam, {agent}",
    )
    response = response_draft(
        actor=ayu,
        kind="reply",
        mention_id=mention.pk,
        template_id=template.pk,
        context={"customer_name": "Kak Rina", "product": "Kopi Susu", "agent": "Ayu"},
    )
    assert response.text.startswith("Halo Kak Rina,") and "Kopi Susu" in response.text
    assert response.language == "id" and response.empathy_passed
    assert {c["code"] for c in response.empathy_checks} == {
        "acknowledges",
        "apologises",
        "offers_remedy",
        "not_defensive",
    }


def test_missing_template_value_is_a_field_error(in_brand_a, ayu, mention):
    template = response_template_save(
        actor=ayu,
        name="Sapa",
        language="en",
        situation="complaint",
        body="Hi {customer_name}, we understand.",
    )
    with pytest.raises(DomainError) as error:
        response_draft(actor=ayu, kind="reply", mention_id=mention.pk, template_id=template.pk, context={})
    assert "customer_name" in error.value.field_errors["context"][0]


def test_defensive_draft_is_kept_with_reasons_as_advice(in_brand_a, ayu, mention):
    response = response_draft(
        actor=ayu, kind="reply", mention_id=mention.pk, text=DEFENSIVE_EN, language="en"
    )
    assert response.state == "draft" and not response.empathy_passed
    failed = {c["code"]: c["reason"] for c in response.empathy_checks if not c["ok"]}
    assert "not_defensive" in failed and "not our fault" in failed["not_defensive"]


def test_editing_a_draft_runs_the_check_again(in_brand_a, ayu, mention):
    response = response_draft(
        actor=ayu, kind="reply", mention_id=mention.pk, text=DEFENSIVE_EN, language="en"
    )
    response = response_update(response_id=response.pk, actor=ayu, text=GOOD_EN)
    assert response.empathy_passed


def test_statement_failing_empathy_cannot_be_submitted_when_the_gate_is_on(crisis_incident, ayu):
    statement = response_draft(
        actor=ayu, kind="statement", incident_id=crisis_incident.pk, text=DEFENSIVE_EN, language="en"
    )
    with pytest.raises(DomainError) as error:
        response_submit(response_id=statement.pk, actor=ayu)
    assert "empathy" in error.value.message
    assert Response.objects.get(pk=statement.pk).state == "draft"


def test_statement_gate_can_be_turned_off_per_brand(crisis_incident, ayu):
    from incidents.models import CrisisSettings

    CrisisSettings.objects.update_or_create(pk=1, defaults={"statement_empathy_gate": False})
    statement = response_draft(
        actor=ayu, kind="statement", incident_id=crisis_incident.pk, text=DEFENSIVE_EN, language="en"
    )
    assert response_submit(response_id=statement.pk, actor=ayu).state == "pending_approval"


def test_only_spokesperson_or_crisis_manager_approve_a_statement(crisis_incident, ayu):
    specialist, spokesperson = make_person("social_media_specialist"), make_person("spokesperson")
    for user in (specialist, spokesperson):
        assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=user.roster.pk)
    statement = response_draft(
        actor=specialist,
        kind="holding_statement",
        incident_id=crisis_incident.pk,
        text=HOLDING_EN,
        language="en",
    )
    response_submit(response_id=statement.pk, actor=specialist)
    with pytest.raises(PermissionDenied):
        response_approve(response_id=statement.pk, actor=specialist)
    approved = response_approve(response_id=statement.pk, actor=spokesperson)
    assert approved.state == "approved" and approved.approved_text == HOLDING_EN


def test_client_approver_approves_only_what_is_sent_to_them(crisis_incident, ayu, mention):
    approver = make_person("client_approver")
    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=approver.roster.pk)
    for_client = response_draft(
        actor=ayu,
        kind="statement",
        incident_id=crisis_incident.pk,
        text=GOOD_EN,
        language="en",
        requires_client_approval=True,
    )
    internal = response_draft(
        actor=ayu, kind="statement", incident_id=crisis_incident.pk, text=GOOD_EN, language="en"
    )
    response_submit(response_id=for_client.pk, actor=ayu)
    response_submit(response_id=internal.pk, actor=ayu)
    with pytest.raises(PermissionDenied):
        response_approve(response_id=internal.pk, actor=approver)
    with pytest.raises(PermissionDenied):
        response_approve(response_id=for_client.pk, actor=ayu)  # the client signs off their own
    assert response_approve(response_id=for_client.pk, actor=approver).approved_by == approver


def test_reply_outside_crisis_mode_is_approved_on_submit(in_brand_a, ayu, mention):
    reply = response_draft(actor=ayu, kind="reply", mention_id=mention.pk, text=GOOD_ID, language="id")
    assert response_submit(response_id=reply.pk, actor=ayu).state == "approved"


def test_reply_on_a_severe_open_incident_needs_approval(crisis_incident, ayu, mention):
    reply = response_draft(
        actor=ayu,
        kind="reply",
        incident_id=crisis_incident.pk,
        mention_id=mention.pk,
        text=GOOD_ID,
        language="id",
    )
    submitted = response_submit(response_id=reply.pk, actor=ayu)
    assert submitted.state == "pending_approval" and submitted.requires_approval


def test_approved_text_is_frozen_and_sent_to_the_integration(
    crisis_incident, ayu, webhook_all, django_capture_on_commit_callbacks
):
    statement = response_draft(
        actor=ayu, kind="statement", incident_id=crisis_incident.pk, text=GOOD_EN, language="en"
    )
    response_submit(response_id=statement.pk, actor=ayu)
    with django_capture_on_commit_callbacks():
        response_approve(response_id=statement.pk, actor=ayu)
        response_approve(response_id=statement.pk, actor=ayu)  # a double click
    delivery = WebhookDelivery.objects.get(event="response.approved")
    assert delivery.payload["text"] == GOOD_EN and delivery.payload["id"] == str(statement.pk)
    with pytest.raises(DomainError):
        response_update(response_id=statement.pk, actor=ayu, text="Changed after approval")
    assert Response.objects.get(pk=statement.pk).approved_text == GOOD_EN


def test_rejecting_returns_the_draft_with_a_reason(crisis_incident, ayu):
    statement = response_draft(
        actor=ayu, kind="statement", incident_id=crisis_incident.pk, text=GOOD_EN, language="en"
    )
    response_submit(response_id=statement.pk, actor=ayu)
    with pytest.raises(DomainError):
        response_reject(response_id=statement.pk, actor=ayu, reason="")
    rejected = response_reject(response_id=statement.pk, actor=ayu, reason="Sebutkan nomor batch")
    assert rejected.state == "draft" and rejected.rejection_reason == "Sebutkan nomor batch"


def test_confirm_sent_records_time_to_first_response_and_is_idempotent(crisis_incident, ayu):
    from datetime import timedelta

    from django.utils import timezone

    mention = make_mention(posted_at=timezone.now() - timedelta(minutes=42))
    reply = response_draft(
        actor=ayu,
        kind="reply",
        incident_id=crisis_incident.pk,
        mention_id=mention.pk,
        text=GOOD_ID,
        language="id",
    )
    response_submit(response_id=reply.pk, actor=ayu)
    response_approve(response_id=reply.pk, actor=ayu)
    sent = response_confirm_sent(response_id=reply.pk, external_id="ig-reply-1")
    again = response_confirm_sent(response_id=reply.pk, external_id="ig-reply-2")
    assert sent.state == "sent" and again.external_id == "ig-reply-1"
    mention.refresh_from_db()
    assert mention.answered_at == sent.sent_at
    entry = crisis_incident.timeline.filter(data__event="sent").get()
    assert entry.data["seconds_to_answer"] // 60 == 42
    crisis_incident.refresh_from_db()
    assert crisis_incident.first_response_at == sent.sent_at


def test_unapproved_response_cannot_be_confirmed_sent(in_brand_a, ayu, mention):
    reply = response_draft(actor=ayu, kind="reply", mention_id=mention.pk, text=GOOD_ID, language="id")
    with pytest.raises(DomainError):
        response_confirm_sent(response_id=reply.pk)


def test_every_response_step_lands_on_the_timeline(crisis_incident, ayu):
    statement = response_draft(
        actor=ayu, kind="statement", incident_id=crisis_incident.pk, text=GOOD_EN, language="en"
    )
    response_submit(response_id=statement.pk, actor=ayu)
    response_approve(response_id=statement.pk, actor=ayu)
    response_confirm_sent(response_id=statement.pk)
    events = list(
        crisis_incident.timeline.filter(kind="response").order_by("at").values_list("data__event", flat=True)
    )
    assert events == ["drafted", "submitted", "approved", "sent"]
    assert crisis_incident.timeline.get(data__event="approved").pinned  # statements show in the client view


def test_a_reply_needs_a_mention_and_a_statement_an_incident(in_brand_a, ayu):
    with pytest.raises(DomainError):
        response_draft(actor=ayu, kind="reply", text=GOOD_EN, language="en")
    with pytest.raises(DomainError):
        response_draft(actor=ayu, kind="statement", text=GOOD_EN, language="en")


def test_drafts_store_the_kept_verdict_for_every_reply_in_the_data_set(crisis_incident, ayu):
    """The stored empathy check of a draft matches the kept set of good and bad replies (en, id)."""
    from pathlib import Path

    data = Path(__file__).parent / "data" / "empathy_replies.tsv"
    mention = make_mention()
    checked = 0
    for line in data.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        language, kind, at_fault, passed, failed, text = line.split("\t")
        statement = kind in ("statement", "holding_statement")
        response = response_draft(
            actor=ayu,
            kind=kind,
            language=language,
            text=text,
            at_fault=at_fault == "yes",
            incident_id=crisis_incident.pk if statement else None,
            mention_id=None if statement else mention.pk,
        )
        stored_failed = tuple(c["code"] for c in response.empathy_checks if not c["ok"])
        assert (response.empathy_passed, stored_failed) == (
            passed == "yes",
            () if failed == "-" else tuple(failed.split(",")),
        ), text
        checked += 1
    assert checked >= 80


def test_reply_to_a_mention_of_a_severe_incident_needs_approval_even_without_naming_it(crisis_incident, ayu):
    from incidents.services.incidents import incident_mentions_link

    mention = make_mention()
    incident_mentions_link(incident_id=crisis_incident.pk, actor=ayu, mention_ids=[mention.pk])
    reply = response_draft(actor=ayu, kind="reply", mention_id=mention.pk, text=GOOD_ID, language="id")
    assert response_submit(response_id=reply.pk, actor=ayu).state == "pending_approval"


@pytest.mark.parametrize("entry", DEFAULT_TEMPLATES, ids=lambda e: f"{e[1]}-{e[2]}")
def test_each_default_template_renders_and_passes_the_empathy_check(entry):
    from incidents.empathy import check_empathy
    from incidents.templating import render_template

    name, language, situation, kind, at_fault, body = entry
    context = {"customer_name": "Rina", "product": "Kopi Susu", "agent": "Ayu", "brand": "Kopi Nusantara"}
    # A rumour correction has to be given its facts (the placeholder the draft fills).
    context["facts"] = "Semua biji kopi kami disimpan di gudang yang kering dan diperiksa setiap pagi."
    report = check_empathy(render_template(body, context), language=language, kind=kind, at_fault=at_fault)
    assert report.passed, [c.reason for c in report.checks if not c.ok]


def test_default_library_loads_once_in_both_languages_from_the_admin(in_brand_a, ayu, client_a):
    from incidents.models import ResponseTemplate

    client_a.login_as(ayu)
    assert "Load the default library" in client_a.get("/admin/incidents/responsetemplate/").content.decode()
    client_a.post("/admin/incidents/responsetemplate/load-defaults/")
    client_a.post("/admin/incidents/responsetemplate/load-defaults/")
    assert ResponseTemplate.objects.count() == len(DEFAULT_TEMPLATES)
    assert set(ResponseTemplate.objects.values_list("language", flat=True)) == {"en", "id"}
    assert set(ResponseTemplate.objects.values_list("situation", flat=True)) == set(
        ResponseTemplate.Situation.values
    )
