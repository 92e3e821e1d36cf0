"""The crisis hold and evergreen repeats through a real Celery worker and a real local HTTP
server (the publishing integration): a promotion due during a severe incident is held by the
worker's publishing sweep and reaches the integration once, only after the incident resolved and
staff released it; an evergreen post goes out once per occurrence, and once for all the
occurrences missed while the worker was down."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.content.conftest import approved_variant
from tests.content.test_publishing_worker import _log_mentions
from tests.webhook_server import webhook_server_fixture  # noqa: F401 - the webhook_server fixture
from tests.worker import wait_for

pytestmark = pytest.mark.worker


def _setup(webhook_server, settings, **item):
    """Ayu (from the committed cast), the integration's channel, and an approved variant of `item`
    on X through it, due a second ago."""
    from content.models import Variant
    from content.services import channel_create, variant_schedule
    from tenants.models import User

    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    ayu = User.objects.get(email="ayu@example.com")  # not the `ayu` fixture: it opens a test transaction
    channel, _secret = channel_create(
        actor=ayu, name="Integration", kind="webhook", platforms=["x"], webhook_url=webhook_server.url
    )
    variant = approved_variant(ayu, **item)
    variant_schedule(
        variant_id=variant.pk, actor=ayu, at=timezone.now() + timedelta(minutes=5), channel_id=channel.pk
    )
    Variant.objects.filter(pk=variant.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))
    return ayu, variant


def _sweeps(celery_worker, times: int = 2) -> None:
    """`times` publishing sweeps side by side on the worker, then one more, waited for: every
    sweep queued before it has run by then (and the attempts they queued with it)."""
    from content.tasks import publish_due_task

    for _ in range(times):
        publish_due_task.delay()
    marker = publish_due_task.delay()
    wait_for(lambda: _log_mentions(celery_worker, marker.id), message="the publishing sweeps to run")


def _handed_off(variant_id, attempts_before: int) -> bool:
    from content.models import Variant

    return Variant.objects.filter(
        pk=variant_id, handed_off_at__isnull=False, attempts__gt=attempts_before
    ).exists()


def test_a_promotion_due_in_a_crisis_is_held_then_published_once_after_release(
    committed_brand_a, celery_worker, webhook_server, settings
):
    from content.models import CrisisHold, Variant
    from content.services import variant_confirm_published, variant_release
    from content.tasks import publish_variant_task
    from incidents.services.incidents import incident_open, incident_transition

    ayu, promo = _setup(
        webhook_server, settings, kind="promotion", title="Diskon 50%", text="Diskon 50% #promo"
    )
    incident = incident_open(actor=ayu, title="Kopi basi di Bandung", severity=1)

    _sweeps(celery_worker)
    held = Variant.objects.get(pk=promo.pk)
    assert held.status == "held" and f"#{incident.number}" in held.hold_reason
    assert webhook_server.requests == []  # due, but nothing went out during the crisis

    incident_transition(incident_id=incident.pk, actor=ayu, to_status="resolved", summary="Fixed")
    _sweeps(celery_worker)
    held = Variant.objects.get(pk=promo.pk)
    assert held.status == "held" and held.proposed_at is not None  # proposed, never taken by itself
    assert CrisisHold.objects.get().ended_at is not None
    assert webhook_server.requests == []

    variant_release(variant_id=promo.pk, actor=ayu, at=timezone.now())
    _sweeps(celery_worker)
    wait_for(lambda: _handed_off(promo.pk, 0), message="the released promotion to be handed over")
    attempt = Variant.objects.get(pk=promo.pk).attempts
    for _ in range(2):  # the attempt's message delivered again
        publish_variant_task.delay(str(promo.pk), attempt)
    _sweeps(celery_worker)
    [request] = webhook_server.requests
    assert json.loads(request.body)["data"]["text"] == "Diskon 50% #promo"

    variant_confirm_published(variant_id=promo.pk, actor=None, platform_post_id="1790002")
    _sweeps(celery_worker)
    assert len(webhook_server.requests) == 1
    assert Variant.objects.get(pk=promo.pk).status == "published"
    notes = list(incident.timeline.filter(kind="note").order_by("at").values_list("text", flat=True))
    assert notes[0].startswith("Content calendar on hold") and notes[-1].startswith(
        "Content calendar hold ended"
    )


def test_an_evergreen_post_goes_out_once_per_occurrence_and_once_after_downtime(
    committed_brand_a, celery_worker, webhook_server, settings
):
    from content.models import Variant
    from content.services import variant_confirm_published, variant_evergreen_set

    ayu, tip = _setup(
        webhook_server,
        settings,
        kind="tip",
        evergreen=True,
        title="Toples",
        text="Simpan kopi di toples #tips",
    )
    variant_evergreen_set(variant_id=tip.pk, actor=ayu, interval_days=7, count=3)

    _sweeps(celery_worker)
    wait_for(lambda: _handed_off(tip.pk, 0), message="the first publication to be handed over")
    variant_confirm_published(variant_id=tip.pk, actor=None, platform_post_id="ever-1")
    first = Variant.objects.get(pk=tip.pk)
    assert first.status == "scheduled" and first.publications == 1
    assert first.scheduled_at == first.repeat_anchor + timedelta(days=7)  # anchored to the first one
    _sweeps(celery_worker)
    assert len(webhook_server.requests) == 1  # the next occurrence is a week away

    # The worker was down for two weeks: the occurrences 7 and 14 days after the first publication
    # both passed. One post goes out for them, then the calendar moves to the next one ahead.
    anchor = timezone.now().replace(microsecond=0) - timedelta(days=15)
    Variant.objects.filter(pk=tip.pk).update(
        repeat_anchor=anchor, published_at=anchor, scheduled_at=anchor + timedelta(days=7)
    )
    _sweeps(celery_worker, times=3)
    wait_for(lambda: _handed_off(tip.pk, first.attempts), message="the missed repeat to be handed over")
    _sweeps(celery_worker)
    assert len(webhook_server.requests) == 2
    repeat = webhook_server.requests[1]
    # A repeat is a new message: an integration that drops deliveries it already acted on (by
    # webhook-id, as the docs ask) must not drop it as the first publication's duplicate.
    assert repeat.header("webhook-id") != webhook_server.requests[0].header("webhook-id")
    assert json.loads(repeat.body)["data"]["publication"] == 2

    variant_confirm_published(variant_id=tip.pk, actor=None, platform_post_id="ever-2")
    second = Variant.objects.get(pk=tip.pk)
    assert second.publications == 2 and second.scheduled_at == anchor + timedelta(days=21)
    assert second.scheduled_at > timezone.now()  # the missed occurrence was skipped, not queued
    _sweeps(celery_worker)
    assert len(webhook_server.requests) == 2
