"""The queue path, on a real Celery worker and committed data: a webhook delivery reaches a local
HTTP server with a valid signature, a 500 is retried with backoff, and a rumour posted through the
API is scored, detected, raised as an alert and delivered as `alert.raised`."""

import json

import pytest

from tests.helpers import BRAND_A, bearer, brand_host
from tests.incidents.fixtures_early_warning import (  # noqa: F401 - fixtures
    allow_private_webhooks_fixture,
    mention_row,
    webhook_server_fixture,
)
from tests.worker import wait_for

pytestmark = [pytest.mark.worker, pytest.mark.usefixtures("allow_private_webhooks")]


def _verified(request, secret) -> bool:
    from incidents.services.webhooks import webhook_signature_verify

    return webhook_signature_verify(
        secret=secret,
        headers={
            name: request.header(name) for name in ("webhook-id", "webhook-timestamp", "webhook-signature")
        },
        body=request.body,
    )


def test_worker_delivers_a_signed_webhook(committed_brand_a, celery_worker, webhook_server):
    from incidents.models import WebhookDelivery
    from incidents.services.webhooks import webhook_emit, webhook_subscription_create

    _, secret = webhook_subscription_create(name="srv", url=webhook_server.url, events=["alert.raised"])
    assert webhook_emit(event="alert.raised", payload={"title": "Spike"}) == 1
    [request] = webhook_server.wait_for_requests(1)
    assert _verified(request, secret)
    assert not _verified(request, "whsec_wrong")
    assert json.loads(request.body)["data"]["title"] == "Spike"
    delivery = wait_for(
        lambda: WebhookDelivery.objects.filter(status="succeeded").first(), message="the delivery to succeed"
    )
    assert delivery.attempt_log[0]["status_code"] == 200


def test_worker_retries_a_500_with_the_same_delivery_id(committed_brand_a, celery_worker, webhook_server):
    from incidents.models import WebhookDelivery
    from incidents.services.webhooks import webhook_emit, webhook_subscription_create

    webhook_server.respond_with(500, then=200)
    _, secret = webhook_subscription_create(name="srv", url=webhook_server.url, events=["*"])
    webhook_emit(event="ping", payload={})
    first, second = webhook_server.wait_for_requests(2, timeout=45)[:2]
    assert first.header("webhook-id") == second.header("webhook-id")
    assert _verified(second, secret)
    delivery = wait_for(
        lambda: WebhookDelivery.objects.filter(status="succeeded").first(), message="the retried delivery"
    )
    assert delivery.attempts == 2
    assert [a["status_code"] for a in delivery.attempt_log] == [500, 200]


def test_rumour_posted_through_the_api_reaches_the_webhook_as_an_alert(
    committed_brand_a, celery_worker, webhook_server
):
    from django.test import Client

    from incidents.models import Alert, Mention, Notification
    from incidents.services.webhooks import webhook_subscription_create
    from tenants.models import BrandApiKey, User
    from tenants.services import api_key_create

    _, secret = webhook_subscription_create(name="srv", url=webhook_server.url, events=["alert.raised"])
    key, plain = api_key_create(brand=committed_brand_a, name="worker test")
    try:
        rows = [
            mention_row(
                text=f"katanya kopi nusantara pakai biji kopi basi dari gudang bekas banjir, jangan beli {tail}",
                author_handle=f"@spreader{i}",
            )
            for i, tail in enumerate(["", "guys", "parah", "kecewa", "!!", "serius", "", "beneran"])
        ]
        client = Client(HTTP_HOST=brand_host(BRAND_A))
        response = client.post(
            "/api/v1/mentions/", json.dumps(rows), content_type="application/json", **bearer(plain)
        )
        assert response.status_code == 200
        assert response.json()["created"] == 8
        request = next(
            r
            for r in webhook_server.wait_for_requests(1, timeout=60)
            if r.header("X-Tanggap-Event") == "alert.raised"
        )
        assert _verified(request, secret)
        data = json.loads(request.body)["data"]
        assert data["detector"] == "rumour"
        assert data["evidence"]["author_count"] == 8
        assert Mention.objects.filter(scored_at__isnull=False).count() == 8
        assert Alert.objects.filter(detector="rumour", state="open").count() == 1
        ayu = User.objects.get(email="ayu@example.com")
        assert Notification.objects.filter(user_id=ayu.pk).exists()
    finally:
        BrandApiKey.objects.filter(pk=key.pk).delete()
