"""Thin Celery tasks for publishing: ids in, one service call each; safe to run twice.

Routing lives in settings (`CELERY_TASK_ROUTES`): the per-brand work (`content.*`) on the
`publishing` queue, beat's fan-out (`content.publish_due_sweep`) on `periodic` like every beat entry."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="content.publish_variant", acks_late=True, time_limit=60, soft_time_limit=45)
def publish_variant_task(variant_id: str, attempt: int) -> str:
    """Run one claimed attempt; a duplicate of the message finds the attempt started and sends
    nothing. Failures are retried by the sweep after a backoff, not by re-running this task."""
    from content.services import variant_publish_attempt

    return variant_publish_attempt(variant_id=variant_id, attempt=attempt)


@shared_task(name="content.publish_due", acks_late=True, time_limit=120, soft_time_limit=100)
def publish_due_task() -> int:
    """In the current brand: claim what is due and hand each claimed attempt to a worker. A
    claim whose message is lost is claimed again when its lease runs out."""
    from content.services import crisis_hold_sweep, publish_due_claim

    hold = crisis_hold_sweep()
    claimed = publish_due_claim(holding=hold["holding"])
    for variant_id, attempt in claimed:
        publish_variant_task.delay(str(variant_id), attempt)
    if claimed:
        logger.info("content publishing: %d variant(s) claimed", len(claimed))
    return len(claimed)


@shared_task(name="content.publish_due_sweep", acks_late=True, time_limit=120, soft_time_limit=100)
def publish_due_sweep_task() -> int:
    """Periodic entry point (run in public by beat): one publishing sweep per ready brand."""
    from tenants.fanout import fan_out

    return fan_out(publish_due_task)
