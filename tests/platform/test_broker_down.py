"""With the broker really unreachable (the tenant-aware Celery app pointed at a closed port), an
intake or an invitation batch that stored its rows answers 2xx, and nothing is lost: once the broker
is back, the sweep hands the work over and a real worker does it, once."""

import json
import socket
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.helpers import BRAND_A, bearer, brand_host
from tests.incidents.fixtures_early_warning import mention_row
from tests.surveys.conftest import make_survey
from tests.worker import wait_for

pytestmark = pytest.mark.worker


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the socket is: nothing listens there


def _reset_connections(app) -> None:
    # Celery caches the (kombu-registered, per-URL) connection and producer pools it uses; forget
    # them so the next publish takes the pool of the broker configured now.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_unreachable():
    """Point the project's Celery app at a port nobody listens on; `back()` restores the broker."""
    from platform.celery import app

    saved = (app.conf.broker_url, app.conf.broker_transport_options)

    def back() -> None:
        app.conf.broker_url, app.conf.broker_transport_options = saved
        _reset_connections(app)

    app.conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    app.conf.broker_transport_options = {}
    _reset_connections(app)
    yield back
    back()


@pytest.fixture
def committed_key(committed_brand_a):
    from tenants.services import api_key_create

    return api_key_create(brand=committed_brand_a, name="broker down")[1]


def test_intake_answers_2xx_with_the_broker_down_and_is_scored_afterwards(
    committed_brand_a, committed_key, broker_unreachable, caplog
):
    from incidents.models import Mention
    from incidents.services.intake import mentions_score_pending

    client = Client(HTTP_HOST=brand_host(BRAND_A))
    rows = [mention_row(text="Kopinya basi, kecewa") for _ in range(5)]
    response = client.post(
        "/api/v1/mentions/", json.dumps(rows), content_type="application/json", **bearer(committed_key)
    )
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 5
    assert Mention.objects.count() == 5 and Mention.objects.filter(scored_at__isnull=True).count() == 5
    assert "Could not hand" in caplog.text
    broker_unreachable()
    # The unscored rows are the record of the work: the periodic pass scores them.
    assert mentions_score_pending() == 5
    assert not Mention.objects.filter(scored_at__isnull=True).exists()


def test_invitations_answer_201_with_the_broker_down_and_are_all_sent_once_it_is_back(
    committed_brand_a, committed_key, broker_unreachable, celery_worker
):
    from surveys.models import Invitation, InvitationEmail
    from tenants.outbox import sweep_current_brand

    survey = make_survey()
    client = Client(HTTP_HOST=brand_host(BRAND_A))
    payload = {"invitations": [{"email": f"r{i}@example.com"} for i in range(20)], "send_email": True}
    response = client.post(
        f"/api/v1/surveys/{survey.pk}/invitations/",
        json.dumps(payload),
        content_type="application/json",
        **bearer(committed_key),
    )
    assert response.status_code == 201, response.content
    assert len(response.json()) == 20 and all(row["link"] for row in response.json())
    assert Invitation.objects.filter(outbox_state="pending").count() == 20
    broker_unreachable()
    # The hand-over grace has passed (set, not waited for): the sweep hands all of them over.
    Invitation.objects.update(outbox_lease_until=timezone.now() - timedelta(seconds=1))
    assert sweep_current_brand()["survey-invitation-emails"] == 20
    wait_for(
        lambda: Invitation.objects.filter(outbox_state="done").count() == 20,
        timeout=60,
        message="the worker to send the 20 invitations",
    )
    assert InvitationEmail.objects.filter(kind="invitation").count() == 20
    assert set(Invitation.objects.values_list("outbox_attempts", flat=True)) == {1}


def test_a_webhook_ping_answers_2xx_with_the_broker_down_and_is_delivered_by_the_sweep(
    committed_brand_a, committed_key, broker_unreachable, celery_worker
):
    from incidents.models import WebhookDelivery
    from incidents.services.webhooks import webhook_subscription_create
    from tenants.outbox import sweep_current_brand
    from tests.webhook_server import WebhookServer

    server = WebhookServer().start()
    try:
        subscription, _ = webhook_subscription_create(name="srv", url=server.url, events=["ping"])
        client = Client(HTTP_HOST=brand_host(BRAND_A))
        response = client.post(f"/api/v1/webhooks/{subscription.pk}/ping/", **bearer(committed_key))
        assert 200 <= response.status_code < 300, response.content
        assert WebhookDelivery.objects.get().status == "pending"
        broker_unreachable()
        # Long enough ago that the sweep takes it for lost (set, not waited for).
        WebhookDelivery.objects.update(created_at=timezone.now() - timedelta(minutes=10))
        assert sweep_current_brand()["incident-webhook-deliveries"] == 1
        [request] = server.wait_for_requests(1)
        assert request.header("X-Tanggap-Event") == "ping"
        wait_for(
            lambda: WebhookDelivery.objects.get().status == "succeeded", timeout=30, message="the record"
        )
    finally:
        server.stop()
