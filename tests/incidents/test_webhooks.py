"""Signed webhooks: signature scheme, which subscriptions get an event, one send per delivery even
when the task runs twice, the attempt log; and the subscription API's roles and isolation."""

import json
import time

import pytest
from standardwebhooks import Webhook

from tests.helpers import bearer
from tests.incidents.fixtures_early_warning import (  # noqa: F401 - fixtures
    allow_private_webhooks_fixture,
    webhook_server_fixture,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_private_webhooks")]


def test_signature_round_trip_and_refusals():
    """Standard Webhooks: what the platform signs, the reference library verifies; another secret,
    a changed body, an old timestamp or a missing header is refused."""
    from incidents.services.webhooks import webhook_signature_verify
    from tenants.webhook_signing import webhook_headers, webhook_secret_new

    secret, other = webhook_secret_new(), webhook_secret_new()
    now = int(time.time())
    body = '{"event":"alert.raised"}'
    headers = webhook_headers(secrets_=[secret], msg_id="msg_1", timestamp=now, body=body)
    assert headers["webhook-signature"].startswith("v1,")
    assert webhook_signature_verify(secret=secret, headers=headers, body=body.encode())
    assert not webhook_signature_verify(secret=other, headers=headers, body=body)
    assert not webhook_signature_verify(secret=secret, headers=headers, body=body + " ")
    stale = webhook_headers(secrets_=[secret], msg_id="msg_1", timestamp=now - 3600, body=body)
    assert not webhook_signature_verify(secret=secret, headers=stale, body=body)
    assert not webhook_signature_verify(
        secret=secret, headers={**headers, "webhook-timestamp": "soon"}, body=body
    )
    assert not webhook_signature_verify(
        secret=secret, headers={k: v for k, v in headers.items() if k != "webhook-id"}, body=body
    )


def test_emit_creates_a_delivery_per_interested_active_subscription(
    in_brand_a, django_capture_on_commit_callbacks
):
    from incidents.models import WebhookDelivery
    from incidents.services.webhooks import (
        webhook_emit,
        webhook_subscription_create,
        webhook_subscription_update,
    )

    alerts_only, _ = webhook_subscription_create(name="a", url="https://a.example/h", events=["alert.raised"])
    everything, _ = webhook_subscription_create(name="b", url="https://b.example/h", events=["*"])
    other, _ = webhook_subscription_create(name="c", url="https://c.example/h", events=["alert.dismissed"])
    paused, _ = webhook_subscription_create(name="d", url="https://d.example/h", events=["*"])
    webhook_subscription_update(subscription_id=paused.pk, is_active=False)
    with django_capture_on_commit_callbacks() as callbacks:
        assert webhook_emit(event="alert.raised", payload={"n": 1}) == 2
    assert len(callbacks) == 1
    assert set(WebhookDelivery.objects.values_list("subscription_id", flat=True)) == {
        alerts_only.pk,
        everything.pk,
    }
    assert WebhookDelivery.objects.filter(status="pending").count() == 2
    assert other.pk and paused.pk


def test_unknown_event_or_bad_url_is_refused(in_brand_a):
    from incidents.services.webhooks import webhook_subscription_create
    from tenants.errors import DomainError

    with pytest.raises(DomainError, match="Unknown event"):
        webhook_subscription_create(name="x", url="https://a.example/h", events=["alert.exploded"])
    with pytest.raises(DomainError):
        webhook_subscription_create(name="x", url="ftp://a.example/h", events=["*"])


@pytest.mark.parametrize("allow_private", [True, False])
def test_a_url_with_a_port_out_of_range_is_a_400_not_a_500(
    client_a, ayu, in_brand_a, settings, allow_private
):
    from incidents.services.webhooks import webhook_subscription_create

    subscription, _ = webhook_subscription_create(name="s", url="https://a.example/h", events=["*"])
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = allow_private
    client = client_a.login_as(ayu)
    bad = {"name": "x", "url": "https://a.example:99999/h", "events": ["*"]}
    created = client.post("/api/v1/webhooks/", bad, content_type="application/json")
    assert created.status_code == 400
    assert created.json()["errors"] == {"url": ["Port out of range."]}
    patched = client.patch(
        f"/api/v1/webhooks/{subscription.pk}/", {"url": bad["url"]}, content_type="application/json"
    )
    assert patched.status_code == 400
    subscription.refresh_from_db()
    assert subscription.url == "https://a.example/h"


def test_private_addresses_are_refused_outside_development(in_brand_a, settings):
    from incidents.services.webhooks import webhook_subscription_create
    from tenants.errors import DomainError

    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(DomainError, match="public address|https"):
        webhook_subscription_create(name="x", url="https://127.0.0.1:9/h", events=["*"])


def test_delivery_is_signed_sent_once_and_logged(in_brand_a, webhook_server):
    from incidents.models import WebhookDelivery
    from incidents.services.webhooks import (
        webhook_delivery_attempt,
        webhook_emit,
        webhook_signature_verify,
        webhook_subscription_create,
    )

    subscription, secret = webhook_subscription_create(name="srv", url=webhook_server.url, events=["ping"])
    webhook_emit(event="ping", payload={"hello": "dunia"})
    delivery = WebhookDelivery.objects.get(subscription=subscription)
    assert webhook_delivery_attempt(delivery_id=delivery.pk) is None
    # A duplicate run of the task finds the delivery done and sends nothing.
    assert webhook_delivery_attempt(delivery_id=delivery.pk) is None
    [request] = webhook_server.requests
    assert request.header("X-Tanggap-Event") == "ping"
    assert request.header("webhook-id") == str(delivery.pk)
    # Verified as a receiver would, with the Standard Webhooks reference library.
    received = Webhook(secret).verify(
        request.body,
        {name: request.header(name) for name in ("webhook-id", "webhook-timestamp", "webhook-signature")},
    )
    assert received["data"] == {"hello": "dunia"} and received["id"] == str(delivery.pk)
    assert webhook_signature_verify(secret=secret, headers=dict(request.headers), body=request.body)
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert delivery.attempts == 1
    assert delivery.attempt_log[0]["status_code"] == 200
    assert delivery.attempt_log[0]["duration_ms"] >= 0


def test_failed_attempt_is_logged_and_scheduled_for_retry_until_it_gives_up(in_brand_a, webhook_server):
    from incidents.models import WebhookDelivery
    from incidents.services.webhooks import (
        MAX_ATTEMPTS,
        RETRY_SCHEDULE,
        webhook_delivery_attempt,
        webhook_emit,
    )
    from incidents.services.webhooks import webhook_subscription_create as create

    webhook_server.respond_with(then=500)
    create(name="srv", url=webhook_server.url, events=["*"])
    webhook_emit(event="ping", payload={})
    delivery = WebhookDelivery.objects.get()
    waits = [webhook_delivery_attempt(delivery_id=delivery.pk) for _ in range(MAX_ATTEMPTS)]
    assert waits == [*RETRY_SCHEDULE, None]
    delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert [a["status_code"] for a in delivery.attempt_log] == [500] * MAX_ATTEMPTS
    assert delivery.attempt_log[0]["error"] == "HTTP 500"


def test_a_delivery_claimed_by_another_run_is_not_sent(in_brand_a, webhook_server):
    from django.utils import timezone

    from incidents.models import WebhookDelivery
    from incidents.services.webhooks import (
        webhook_delivery_attempt,
        webhook_emit,
        webhook_subscription_create,
    )

    webhook_subscription_create(name="srv", url=webhook_server.url, events=["*"])
    webhook_emit(event="ping", payload={})
    WebhookDelivery.objects.update(status="sending", claimed_at=timezone.now())
    assert webhook_delivery_attempt(delivery_id=WebhookDelivery.objects.get().pk) is None
    assert webhook_server.requests == []


def test_subscription_api_shows_secret_once(client_a, ayu, in_brand_a):
    client = client_a.login_as(ayu)
    created = client.post(
        "/api/v1/webhooks/",
        {"name": "ops", "url": "https://ops.example/hook", "events": ["alert.raised"]},
        content_type="application/json",
    )
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("whsec_")
    listed = client.get("/api/v1/webhooks/").json()["results"]
    assert "secret" not in listed[0]
    assert secret not in json.dumps(listed)
    rotated = client.post(f"/api/v1/webhooks/{listed[0]['id']}/rotate-secret/").json()
    assert rotated["secret"] != secret


def test_subscription_api_roles_and_isolation(client_a, budi, citra, api_key_b, in_brand_a):
    from incidents.services.webhooks import webhook_subscription_create

    subscription, _ = webhook_subscription_create(name="s", url="https://a.example/h", events=["*"])
    payload = {"name": "x", "url": "https://x.example/h", "events": ["*"]}
    viewer = client_a.login_as(budi)
    assert viewer.post("/api/v1/webhooks/", payload, content_type="application/json").status_code == 403
    assert viewer.post(f"/api/v1/webhooks/{subscription.pk}/rotate-secret/").status_code == 403
    assert client_a.get(f"/api/v1/webhooks/{subscription.pk}/", **bearer(api_key_b)).status_code == 404
    outsider = client_a.__class__(client_a.host).login_as(citra)
    assert outsider.get(f"/api/v1/webhooks/{subscription.pk}/deliveries/").status_code == 404


def test_delivery_log_with_a_forged_cursor_position_is_a_404_not_a_500(client_a, ayu, in_brand_a):
    import base64

    from incidents.services.webhooks import webhook_subscription_create

    subscription, _ = webhook_subscription_create(name="s", url="https://a.example/h", events=["*"])
    cursor = base64.b64encode(b"p=foo").decode()
    response = client_a.login_as(ayu).get(
        f"/api/v1/webhooks/{subscription.pk}/deliveries/", {"cursor": cursor}
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "Invalid cursor"


def test_stuck_deliveries_are_queued_again(in_brand_a, django_capture_on_commit_callbacks, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from incidents.models import WebhookDelivery
    from incidents.services import webhooks

    webhooks.webhook_subscription_create(name="s", url="https://a.example/h", events=["*"])
    webhooks.webhook_emit(event="ping", payload={})
    webhooks.webhook_emit(event="ping", payload={})
    stuck, fresh = WebhookDelivery.objects.order_by("created_at")
    WebhookDelivery.objects.filter(pk=stuck.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    queued = []
    monkeypatch.setattr(webhooks, "_queue", lambda ids: queued.extend(ids))
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.webhook_deliveries_requeue_stuck() == 1
    assert queued == [str(stuck.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.webhook_deliveries_requeue_stuck() == 0  # its due time moved on
    assert fresh.pk


def test_admin_creates_a_subscription_and_shows_its_secret_once(client_a, ayu, in_brand_a):
    from incidents.models import WebhookSubscription

    client = client_a.login_as(ayu)
    response = client.post(
        "/admin/incidents/webhooksubscription/add/",
        {"name": "ops", "url": "https://ops.example/hook", "events": ["alert.raised"], "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    subscription = WebhookSubscription.objects.get()
    messages = " ".join(str(m) for m in response.context["messages"])
    assert subscription.secret in messages
    page = client.get(f"/admin/incidents/webhooksubscription/{subscription.pk}/change/")
    assert subscription.secret not in page.content.decode()


def test_admin_refuses_a_bad_webhook_url_on_the_form(client_a, ayu, in_brand_a, settings):
    from incidents.models import WebhookSubscription

    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    response = client_a.login_as(ayu).post(
        "/admin/incidents/webhooksubscription/add/",
        {"name": "ops", "url": "http://ops.example/hook", "events": ["*"], "is_active": "on"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert "https" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_budi_and_citra_cannot_manage_webhooks_in_the_admin(client_a, budi, citra, in_brand_a):
    viewer = client_a.login_as(budi)
    assert viewer.get("/admin/incidents/webhooksubscription/add/").status_code == 403
    outsider = client_a.__class__(client_a.host).login_as(citra)
    assert outsider.get("/admin/incidents/webhooksubscription/").status_code == 403
    assert outsider.get("/admin/incidents/mention/").status_code == 403


def test_delivery_to_a_host_now_pointing_inside_is_refused(in_brand_a, webhook_server, settings):
    from incidents.models import WebhookDelivery
    from incidents.services.webhooks import (
        webhook_delivery_attempt,
        webhook_emit,
        webhook_subscription_create,
    )

    webhook_subscription_create(name="srv", url=webhook_server.url, events=["*"])
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False  # as in production, after the subscription exists
    webhook_emit(event="ping", payload={})
    delivery = WebhookDelivery.objects.get()
    assert webhook_delivery_attempt(delivery_id=delivery.pk) is not None  # logged, retried later
    assert webhook_server.requests == []
    delivery.refresh_from_db()
    assert delivery.attempt_log[0]["error"].startswith("refused:")
