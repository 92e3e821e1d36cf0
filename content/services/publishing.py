"""Publishing at the scheduled time. A sweep claims due variants with one conditional UPDATE
(`FOR UPDATE SKIP LOCKED`: two sweeps never claim the same row) and each claim is one numbered
attempt; a worker starts an attempt only once, so a duplicated or retried task message never
publishes twice. A failed attempt waits out a backoff and is claimed again by the sweep; after
the last one the variant is failed with the reason, and staff may retry it."""

import logging
from datetime import datetime, timedelta
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content.crisis import content_event_emit
from content.delivery import DeliveryError, deliver
from content.models import HistoryEntry, Variant
from content.permissions import require_content_action
from content.services.history import history_record
from content.services.testimonials import testimonial_consent_problem
from tenants.errors import DomainError

logger = logging.getLogger(__name__)
H = HistoryEntry.Action

# Longer than a delivery can take (HTTP timeouts 15 s, task time limit 60 s): a claim older than
# this belongs to a worker that died, and the sweep may claim the variant again.
LEASE = timedelta(seconds=120)
# Seconds before retry n (1-based): a blip is retried soon, an outage for about an hour.
RETRY_SCHEDULE = (30, 120, 600, 1800)
MAX_FAILURES = len(RETRY_SCHEDULE) + 1
CLAIM_BATCH = 1000

_CLAIM_SQL = """
UPDATE content_variant AS v
SET status = 'publishing', attempts = v.attempts + 1, lease_until = %(lease_until)s, updated_at = %(now)s
WHERE v.id IN (
    SELECT id FROM content_variant
    WHERE status IN ('scheduled', 'publishing')
      AND handed_off_at IS NULL
      AND COALESCE(next_attempt_at, scheduled_at) <= %(now)s
      AND (lease_until IS NULL OR lease_until < %(now)s)
      -- During a crisis hold the hold sweep takes these; never publish one in between.
      AND NOT (
        %(holding)s AND NOT hold_released AND status = 'scheduled'
        AND item_id IN (SELECT id FROM content_contentitem WHERE kind = 'promotion' OR evergreen)
      )
    ORDER BY scheduled_at
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
RETURNING v.id, v.attempts
"""


def publish_due_claim(
    *, now: datetime | None = None, limit: int = CLAIM_BATCH, holding: bool = False
) -> list[tuple[UUID, int]]:
    """Claim the variants due now (or whose retry is due, or whose worker died) as one new
    attempt each; return (variant id, attempt number) pairs to hand to workers. `holding`: a
    crisis hold is on, so promotional and evergreen variants are left to the hold sweep."""
    now = now or timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        params = {"now": now, "lease_until": now + LEASE, "limit": limit, "holding": holding}
        cursor.execute(_CLAIM_SQL, params)
        return [(row[0], row[1]) for row in cursor.fetchall()]


def _start_attempt(variant_id: UUID, attempt: int) -> bool:
    """Mark the attempt started; False when it already was (a duplicate message) or the claim is
    no longer current (a newer attempt, a confirmation, an unschedule)."""
    return bool(
        Variant.objects.filter(
            pk=variant_id,
            status=Variant.Status.PUBLISHING,
            attempts=attempt,
            started_attempt__lt=attempt,
            handed_off_at__isnull=True,
        ).update(started_attempt=attempt)
    )


@transaction.atomic
def _record_outcome(*, variant_id: UUID, attempt: int, error: DeliveryError | None) -> str:
    variant = (
        Variant.objects.select_for_update()
        .select_related("item")
        .filter(pk=variant_id, attempts=attempt, started_attempt=attempt, status=Variant.Status.PUBLISHING)
        .first()
    )
    if variant is None:
        return "superseded"
    now = timezone.now()
    if error is None:
        variant.handed_off_at, variant.lease_until, variant.failure_reason = now, None, ""
        variant.save(update_fields=["handed_off_at", "lease_until", "failure_reason", "updated_at"])
        history_record(
            item=variant.item,
            variant=variant,
            action=H.HANDED_OFF,
            comment=variant.channel.name if variant.channel else "",
        )
        return "handed_off"
    variant.failures += 1
    variant.failure_reason = error.reason
    if error.permanent or variant.failures >= MAX_FAILURES:
        variant.status, variant.lease_until = Variant.Status.FAILED, None
        variant.save(update_fields=["status", "failures", "failure_reason", "lease_until", "updated_at"])
        history_record(item=variant.item, variant=variant, action=H.FAILED, comment=error.reason)
        content_event_emit(event="content.failed", variant=variant)
        return "failed"
    variant.next_attempt_at = now + timedelta(seconds=RETRY_SCHEDULE[variant.failures - 1])
    variant.lease_until = None
    variant.save(update_fields=["failures", "failure_reason", "next_attempt_at", "lease_until", "updated_at"])
    return "retry"


def variant_publish_attempt(*, variant_id: UUID, attempt: int) -> str:
    """Run one claimed attempt: hand the variant to its channel and record what happened.
    Returns "skipped" for an attempt already started elsewhere (nothing is sent)."""
    if not _start_attempt(variant_id, attempt):
        return "skipped"
    variant = Variant.objects.select_related("item", "channel").get(pk=variant_id)
    error = None
    consent = testimonial_consent_problem(variant.item)  # consent withdrawn since scheduling
    try:
        if consent:
            raise DeliveryError(consent, permanent=True)
        deliver(variant)
    except DeliveryError as exc:
        error = exc
    outcome = _record_outcome(variant_id=variant_id, attempt=attempt, error=error)
    logger.info("content variant %s attempt %d: %s", variant_id, attempt, outcome)
    return outcome


@transaction.atomic
def variant_publish_retry(*, variant_id: UUID, actor) -> Variant:
    """Staff send a failed variant to its channel again, now (the retry count starts over)."""
    require_content_action(actor, "schedule")
    variant = Variant.objects.select_for_update().select_related("item").filter(pk=variant_id).first()
    if variant is None:
        raise DomainError(_("No such variant."))
    if variant.status != Variant.Status.FAILED:
        raise DomainError(_("Only a failed variant can be retried."))
    now = timezone.now()
    variant.status, variant.failures, variant.next_attempt_at = Variant.Status.SCHEDULED, 0, now
    variant.lease_until = variant.handed_off_at = None
    variant.save(
        update_fields=["status", "failures", "next_attempt_at", "lease_until", "handed_off_at", "updated_at"]
    )
    history_record(item=variant.item, variant=variant, action=H.RETRIED, actor=actor)
    return variant
