"""Publishing without a worker: the claim, one delivery per attempt, Standard Webhooks signing,
retries with backoff, failure with the reason, staff retry, email and manual channels."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.content.conftest import approved_variant, make_channel
from tests.webhook_server import webhook_server_fixture  # noqa: F401 - the webhook_server fixture

pytestmark = pytest.mark.django_db


def _due(actor, channel, **kwargs):
    from content.models import Variant
    from content.services import variant_schedule

    variant = approved_variant(actor, **kwargs)
    variant_schedule(
        variant_id=variant.pk, actor=actor, at=timezone.now() + timedelta(minutes=5), channel_id=channel.pk
    )
    # Due now: as if the scheduled minute has come.
    Variant.objects.filter(pk=variant.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))
    return variant


def verify_standard_webhook(request, secret) -> bool:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{request.header('webhook-id')}.{request.header('webhook-timestamp')}.".encode() + request.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, sig.removeprefix("v1,"))
        for sig in request.header("webhook-signature").split()
    )


def _webhook_channel(ayu, url):
    from content.services import channel_create

    return channel_create(actor=ayu, name="Integration", kind="webhook", platforms=["x"], webhook_url=url)


def test_nothing_is_claimed_before_its_time(in_brand_a, ayu):
    from content.services import publish_due_claim, variant_schedule

    channel = make_channel(ayu)
    variant = approved_variant(ayu)
    variant_schedule(
        variant_id=variant.pk, actor=ayu, at=timezone.now() + timedelta(hours=1), channel_id=channel.pk
    )
    assert publish_due_claim() == []
    assert [pk for pk, _ in publish_due_claim(now=timezone.now() + timedelta(hours=2))] == [variant.pk]


def test_a_due_variant_is_claimed_once(in_brand_a, ayu):
    from content.services import publish_due_claim

    variant = _due(ayu, make_channel(ayu))
    assert publish_due_claim() == [(variant.pk, 1)]
    assert publish_due_claim() == []  # claimed: a second sweep finds nothing while the lease runs


def test_webhook_delivery_is_signed_and_sent_once_per_attempt(in_brand_a, ayu, webhook_server):
    from content.models import Variant
    from content.services import publish_due_claim, variant_publish_attempt

    channel, secret = _webhook_channel(ayu, webhook_server.url)
    variant = _due(ayu, channel)
    [(pk, attempt)] = publish_due_claim()
    assert variant_publish_attempt(variant_id=pk, attempt=attempt) == "handed_off"
    assert variant_publish_attempt(variant_id=pk, attempt=attempt) == "skipped"  # a duplicate message
    [request] = webhook_server.wait_for_requests(1)
    assert verify_standard_webhook(request, secret)
    body = json.loads(request.body)
    assert body["type"] == "content.publish_requested" and body["data"]["variant_id"] == str(variant.pk)
    assert body["data"]["confirm_url"].endswith(f"/api/v1/content/variants/{variant.pk}/confirm-published/")
    assert request.header("webhook-id") == f"msg_{variant.pk}"
    variant = Variant.objects.get(pk=variant.pk)
    assert variant.status == "publishing" and variant.handed_off_at is not None
    assert publish_due_claim(now=timezone.now() + timedelta(days=1)) == []  # handed off: never again


def test_a_500_is_retried_after_a_backoff_with_the_same_message_id(in_brand_a, ayu, webhook_server):
    from content.models import Variant
    from content.services import publish_due_claim, variant_publish_attempt

    webhook_server.respond_with(500, then=200)
    channel, _secret = _webhook_channel(ayu, webhook_server.url)
    variant = _due(ayu, channel)
    [(pk, attempt)] = publish_due_claim()
    assert variant_publish_attempt(variant_id=pk, attempt=attempt) == "retry"
    variant = Variant.objects.get(pk=variant.pk)
    assert variant.failures == 1 and "HTTP 500" in variant.failure_reason
    # The failed attempt's message delivered again (a retried task) sends nothing.
    assert variant_publish_attempt(variant_id=pk, attempt=attempt) == "skipped"
    assert len(webhook_server.requests) == 1
    assert publish_due_claim() == []  # waiting out the backoff
    [(pk, attempt)] = publish_due_claim(now=timezone.now() + timedelta(seconds=31))
    assert attempt == 2
    assert variant_publish_attempt(variant_id=pk, attempt=attempt) == "handed_off"
    first, second = webhook_server.wait_for_requests(2)
    assert first.header("webhook-id") == second.header("webhook-id")


def test_after_the_last_retry_the_variant_fails_with_the_reason(in_brand_a, ayu, webhook_server):
    from content.models import Variant
    from content.services import publish_due_claim, variant_publish_attempt
    from content.services.publishing import MAX_FAILURES

    webhook_server.respond_with(then=503)
    channel, _secret = _webhook_channel(ayu, webhook_server.url)
    variant = _due(ayu, channel)
    later = timezone.now()
    for _ in range(MAX_FAILURES):
        later += timedelta(hours=1)
        [(pk, attempt)] = publish_due_claim(now=later)
        variant_publish_attempt(variant_id=pk, attempt=attempt)
    variant = Variant.objects.get(pk=variant.pk)
    assert variant.status == "failed" and "HTTP 503" in variant.failure_reason
    assert variant.item.history.filter(action="failed").count() == 1
    assert publish_due_claim(now=later + timedelta(days=1)) == []


def test_a_4xx_fails_at_once(in_brand_a, ayu, webhook_server):
    from content.services import publish_due_claim, variant_publish_attempt

    webhook_server.respond_with(then=410)
    channel, _secret = _webhook_channel(ayu, webhook_server.url)
    _due(ayu, channel)
    [(pk, attempt)] = publish_due_claim()
    assert variant_publish_attempt(variant_id=pk, attempt=attempt) == "failed"


def test_staff_retry_a_failed_variant(in_brand_a, ayu, budi, webhook_server):
    from django.core.exceptions import PermissionDenied

    from content.services import publish_due_claim, variant_publish_attempt, variant_publish_retry

    webhook_server.respond_with(410, then=200)
    channel, _secret = _webhook_channel(ayu, webhook_server.url)
    variant = _due(ayu, channel)
    [(pk, attempt)] = publish_due_claim()
    variant_publish_attempt(variant_id=pk, attempt=attempt)
    with pytest.raises(PermissionDenied):
        variant_publish_retry(variant_id=variant.pk, actor=budi)
    variant_publish_retry(variant_id=variant.pk, actor=ayu)
    [(pk, attempt)] = publish_due_claim()
    assert variant_publish_attempt(variant_id=pk, attempt=attempt) == "handed_off"
    assert list(variant.item.history.values_list("action", flat=True))[-3:] == [
        "failed",
        "retried",
        "handed_off",
    ]


def test_an_unreachable_integration_is_retried(in_brand_a, ayu):
    from content.services import publish_due_claim, variant_publish_attempt

    channel, _secret = _webhook_channel(ayu, "http://127.0.0.1:9/hook")  # discard port: refused
    _due(ayu, channel)
    [(pk, attempt)] = publish_due_claim()
    assert variant_publish_attempt(variant_id=pk, attempt=attempt) == "retry"


def test_email_channel_mails_the_person_with_the_text_and_the_confirm_link(in_brand_a, ayu):
    from content.services import channel_create, publish_due_claim, variant_publish_attempt

    channel, _ = channel_create(
        actor=ayu, name="Dewi", kind="email", platforms=["x"], email_to="dewi@example.com"
    )
    variant = _due(ayu, channel, text="Pagi! #kopi")
    [(pk, attempt)] = publish_due_claim()
    assert variant_publish_attempt(variant_id=pk, attempt=attempt) == "handed_off"
    [message] = mail.outbox
    assert message.to == ["dewi@example.com"] and "Pagi! #kopi" in message.body
    assert f"/admin/content/variant/{variant.pk}/change/" in message.body
    assert message.subject.startswith("Mohon unggah di X")  # in the brand's language (Bahasa Indonesia)


def test_manual_channel_hands_off_and_a_person_confirms(client_a, in_brand_a, ayu):
    from content.models import Variant
    from content.services import channel_create, publish_due_claim, variant_publish_attempt

    channel, _ = channel_create(actor=ayu, name="By hand", kind="manual", platforms=["x"])
    variant = _due(ayu, channel, text="Posted by hand")
    [(pk, attempt)] = publish_due_claim()
    assert variant_publish_attempt(variant_id=pk, attempt=attempt) == "handed_off"
    client_a.login_as(ayu)
    page = client_a.get(f"/admin/content/variant/{variant.pk}/confirm/").content.decode()
    assert "Posted by hand" in page
    done = client_a.post(
        f"/admin/content/variant/{variant.pk}/confirm/",
        {"platform_post_id": "555", "url": "https://x.com/k/555"},
    )
    assert done.status_code == 302
    assert Variant.objects.get(pk=variant.pk).status == "published"


def test_production_refuses_a_webhook_channel_to_a_private_address(in_brand_a, ayu, settings):
    from content.services import channel_create
    from tenants.errors import DomainError

    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(DomainError) as caught:
        channel_create(
            actor=ayu, name="x", kind="webhook", platforms=["x"], webhook_url="https://127.0.0.1/hook"
        )
    assert caught.value.field_errors["webhook_url"] == ["Not a public address."]
    with pytest.raises(DomainError):
        channel_create(
            actor=ayu, name="x", kind="webhook", platforms=["x"], webhook_url="http://hooks.example.com/"
        )
