"""Publishing through a real Celery worker (four threads) and a real local HTTP server: a due
variant reaches the integration once, signed, even when sweeps run side by side and the attempt's
message is delivered several times; the integration's confirmation makes it published."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.content.conftest import approved_variant
from tests.content.test_publishing import verify_standard_webhook
from tests.helpers import BRAND_A, bearer, brand_host
from tests.webhook_server import webhook_server_fixture  # noqa: F401 - the webhook_server fixture
from tests.worker import wait_for

pytestmark = pytest.mark.worker


def test_a_due_variant_is_published_once_under_parallel_sweeps_and_duplicate_messages(
    committed_brand_a, celery_worker, webhook_server, client, settings
):
    from content.models import Variant
    from content.services import channel_create, variant_schedule
    from content.tasks import publish_due_task, publish_variant_task
    from tenants.models import User
    from tenants.services import api_key_create

    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    ayu = User.objects.get(email="ayu@example.com")  # not the `ayu` fixture: it opens a test transaction

    channel, secret = channel_create(
        actor=ayu, name="Integration", kind="webhook", platforms=["x"], webhook_url=webhook_server.url
    )
    variant = approved_variant(ayu, text="Pagi dari Kopi Nusantara #kopi")
    variant_schedule(
        variant_id=variant.pk, actor=ayu, at=timezone.now() + timedelta(minutes=5), channel_id=channel.pk
    )
    Variant.objects.filter(pk=variant.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))

    for _ in range(4):  # four sweeps at once on four worker threads
        publish_due_task.delay()
    wait_for(
        lambda: Variant.objects.filter(pk=variant.pk, handed_off_at__isnull=False).exists(),
        message="the variant to be handed to the integration",
    )
    for _ in range(3):  # the same attempt's message delivered again (a redelivery, a retried task)
        publish_variant_task.delay(str(variant.pk), 1)
    publish_due_task.delay()

    [request] = webhook_server.wait_for_requests(1)
    assert verify_standard_webhook(request, secret)
    assert json.loads(request.body)["data"]["text"] == "Pagi dari Kopi Nusantara #kopi"

    # Give the duplicates time to run; they must not send again.
    marker = publish_due_task.delay()
    wait_for(lambda: _log_mentions(celery_worker, marker.id), message="the last sweep to run")
    assert len(webhook_server.requests) == 1
    assert Variant.objects.get(pk=variant.pk).attempts == 1

    # The integration confirms with the platform's post id and URL through the API.
    from django_tenants.utils import schema_context

    with schema_context("public"):
        key = api_key_create(brand=committed_brand_a, name="scheduler")[1]
    response = client.post(
        f"/api/v1/content/variants/{variant.pk}/confirm-published/",
        {"platform_post_id": "1790001", "url": "https://x.com/kopi/status/1790001"},
        content_type="application/json",
        HTTP_HOST=brand_host(BRAND_A),
        **bearer(key),
    )
    assert response.status_code == 200, response.content
    published = Variant.objects.get(pk=variant.pk)
    assert published.status == "published" and published.platform_post_id == "1790001"


def _log_mentions(log_path, task_id: str) -> bool:
    text = log_path.read_text()
    return f"{task_id}] succeeded" in text or (
        task_id in text and "succeeded" in text.split(task_id, 1)[1][:300]
    )
