"""The full care path on committed data and a real Celery worker: a complaint posted through the
intake API, a case opened, the invitation approved and confirmed sent by the integration, the
customer's DM posted through intake and attached, the case resolved, the closing reply sent, the
complaint answered and the satisfaction survey emailed; `case.opened` and `case.resolved` reach a local receiver signed and without
the customer's personal data."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from tests.helpers import BRAND_A, bearer, brand_host
from tests.incidents.fixtures_early_warning import (  # noqa: F401 - fixtures
    allow_private_webhooks_fixture,
    webhook_server_fixture,
)
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("allow_private_webhooks")]

EMAIL = "siti.rahma@example.com"


def _post(client, url, body, key):
    return client.post(url, json.dumps(body), content_type="application/json", **bearer(key))


def test_complaint_to_private_resolution_and_back_through_the_worker(
    committed_brand_a, celery_worker, webhook_server
):
    from incidents.models import CareCase, Mention, Response
    from incidents.services import care
    from incidents.services.responses import response_approve, response_submit
    from incidents.services.webhooks import webhook_signature_verify, webhook_subscription_create
    from surveys.models import Invitation
    from surveys.services import survey_create, survey_open
    from tenants.models import BrandApiKey, User
    from tenants.services import api_key_create

    ayu = User.objects.get(email="ayu@example.com")
    _, secret = webhook_subscription_create(
        name="care", url=webhook_server.url, events=["case.opened", "case.resolved"]
    )
    key, plain = api_key_create(brand=committed_brand_a, name="care worker test")
    client = Client(HTTP_HOST=brand_host(BRAND_A))
    now = timezone.now()
    try:
        row = {
            "platform": "instagram",
            "external_id": "care-w-1",
            "kind": "comment",
            "author_handle": "siti_r",
            "text": "Pesanan saya tidak datang, kecewa!",
            "posted_at": now.isoformat(),
        }
        assert _post(client, "/api/v1/mentions/", [row], plain).status_code == 200
        complaint = Mention.objects.get(external_id="care-w-1")

        case = care.care_case_open(actor=ayu, mention_ids=[complaint.pk], customer_email=EMAIL)
        case = care.care_case_invite(actor=ayu, case_id=case.pk, language="id")
        invitation = response_submit(response_id=case.invitation_id, actor=ayu)
        if invitation.state == Response.State.PENDING_APPROVAL:
            response_approve(response_id=invitation.pk, actor=ayu)
        sent = _post(
            client, f"/api/v1/responses/{case.invitation_id}/confirm-sent/", {"external_id": "x1"}, plain
        )
        assert sent.status_code == 200, sent.content

        dm = {**row, "external_id": "care-w-dm", "kind": "direct_message", "text": f"Email saya {EMAIL}"}
        assert _post(client, "/api/v1/mentions/", [dm], plain).status_code == 200
        case.refresh_from_db()
        assert case.state == CareCase.State.IN_PRIVATE and case.contacts.filter(channel="dm").exists()

        survey = survey_open(
            survey_id=survey_create(
                title_en="After care",
                title_id="Setelah layanan",
                questions=[{"kind": "csat", "text_en": "How satisfied?", "text_id": "Seberapa puas?"}],
            ).pk
        )
        case = care.care_case_close(
            actor=ayu, case_id=case.pk, state="resolved", outcome="Refund", survey_id=survey.pk
        )
        reply = response_submit(response_id=case.closing_reply_id, actor=ayu)
        if reply.state == Response.State.PENDING_APPROVAL:
            response_approve(response_id=reply.pk, actor=ayu)
        sent = _post(
            client, f"/api/v1/responses/{case.closing_reply_id}/confirm-sent/", {"external_id": "x2"}, plain
        )
        assert sent.status_code == 200, sent.content
        complaint.refresh_from_db()
        assert complaint.answered_at is not None

        # The worker emails the survey invitation (claimed once through the outbox).
        wait_for(
            lambda: Invitation.objects.filter(pk=case.survey_invitation_id, sent_at__isnull=False).exists(),
            timeout=60,
            message=f"the survey email (worker log: {celery_worker})",
        )
        requests = webhook_server.wait_for_requests(2, timeout=60)
        events = sorted(r.header("X-Tanggap-Event") for r in requests)
        assert events == ["case.opened", "case.resolved"]
        for request in requests:
            # Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature.
            assert webhook_signature_verify(secret=secret, headers=dict(request.headers), body=request.body)
            body = request.body.decode() if isinstance(request.body, bytes) else request.body
            assert EMAIL not in body and "siti_r" not in body
            assert json.loads(body)["data"]["id"] == str(case.pk)
        # The worker also scored the mentions it was handed; the DM is still attached once.
        wait_for(
            lambda: not Mention.objects.filter(scored_at__isnull=True).exists(),
            message="scoring by the worker",
        )
        assert case.mention_links.filter(is_private=True).count() == 1
    finally:
        BrandApiKey.objects.filter(pk=key.pk).delete()
