"""The queue path of the messaging channel, on a real Celery worker and committed data: a post-crisis
survey for a customer who gave only a phone reaches the brand's provider (a local HTTP server) once,
signed with Standard Webhooks, and the link in its text opens the survey."""

import uuid
from urllib.parse import urlsplit

import pytest

from tests.helpers import BRAND_A, brand_host
from tests.incidents.fixtures_early_warning import allow_private_webhooks_fixture  # noqa: F401
from tests.webhook_server import webhook_server_fixture  # noqa: F401
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("allow_private_webhooks")]


def test_worker_posts_the_signed_invitation_once_and_its_link_opens_the_survey(
    committed_brand_a, celery_worker, webhook_server
):
    from django.test import Client

    from surveys.models import Invitation
    from surveys.services import messaging_channel_update
    from surveys.services.invitations import survey_send_for_incident
    from tenants.webhook_signing import webhook_verify

    _, secret = messaging_channel_update(kind="sms", url=webhook_server.url, enabled=True)
    [invitation] = survey_send_for_incident(
        incident_id=uuid.uuid4(),
        brand_name="Kopi Nusantara",
        recipients=[{"name": "Joko", "phone": "+62 812 111", "language": "id"}],
    )
    [request] = webhook_server.wait_for_requests(1, timeout=60)
    headers = {n: request.header(n) for n in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    body = webhook_verify(secret=secret, headers=headers, body=request.body)
    assert body["id"] == str(invitation.pk) and body["to"] == "+62 812 111" and body["channel"] == "sms"
    assert body["link"] in body["text"] and body["text"].startswith("Halo Joko,")
    wait_for(
        lambda: Invitation.objects.filter(
            pk=invitation.pk, outbox_state="done", sent_at__isnull=False
        ).exists(),
        message=f"the invitation recorded as sent (worker log: {celery_worker})",
    )
    page = Client(HTTP_HOST=brand_host(BRAND_A)).get(urlsplit(body["link"]).path)
    assert page.status_code == 200 and "Kopi Nusantara" in page.content.decode()
    assert len(webhook_server.requests) == 1
