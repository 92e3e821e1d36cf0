"""Early-warning tasks: scoring, detector sweeps, webhook deliveries, notification emails.

Each runs in the schema of the brand it was queued in (tenant-schemas-celery carries it), takes
ids as strings, and is safe to run twice: work is claimed with SKIP LOCKED or a conditional UPDATE.
Services queue these and these call services: the services import this module at the top, so each
task imports its service modules when it runs (the one cycle break).
"""

import logging

from celery import shared_task

from tenants.outbox import RETRY_OPTIONS, TRANSIENT_ERRORS
from tenants.services import fan_out_to_ready_brands

__all__ = [
    "detectors_sweep_task",
    "early_warning_brand_tick_task",
    "early_warning_tick_task",
    "mentions_score_task",
    "notification_email_task",
    "webhook_deliver_task",
]

logger = logging.getLogger(__name__)


@shared_task(
    name="incidents.mentions_score", acks_late=True, time_limit=300, soft_time_limit=240, **RETRY_OPTIONS
)
def mentions_score_task() -> int:
    """Score every unscored mention of this brand in batches; when any were scored, ask for a
    (coalesced) detector sweep. Intake queues at most one of these per brand at a time."""
    from incidents.services import (
        intake,
        sweeps,
    )  # cycle break: the services import this module to queue tasks

    # Released before scoring: an intake that commits from now on queues a new task, and every
    # row committed before this point is seen by the scoring below.
    sweeps.sweep_request_release(kind="scoring")
    scored = intake.mentions_score_pending()
    if scored:
        sweeps.detectors_sweep_request()
    return scored


@shared_task(name="incidents.detectors_sweep", acks_late=True, time_limit=120, soft_time_limit=100)
def detectors_sweep_task() -> int:
    """Run the detectors for this brand and raise or update its alerts."""
    from incidents.services import (
        alerts,
        sweeps,
    )  # cycle break: the services import this module to queue tasks

    sweeps.sweep_request_release(kind="detectors")
    return len(alerts.detectors_sweep())


@shared_task(name="incidents.early_warning_tick", acks_late=True, time_limit=120, soft_time_limit=100)
def early_warning_tick_task() -> int:
    """Periodic, in public: for every ready brand, score leftovers and sweep (one task per brand)."""
    return fan_out_to_ready_brands(lambda brand: early_warning_brand_tick_task.delay())


@shared_task(name="incidents.early_warning_brand_tick", acks_late=True, time_limit=300, soft_time_limit=240)
def early_warning_brand_tick_task() -> int:
    """One brand's periodic pass: score leftovers, sweep, re-queue stuck webhook deliveries."""
    from incidents.services import (
        alerts,
        intake,
        webhooks,
    )  # cycle break: the services import this module to queue tasks

    scored = intake.mentions_score_pending()
    alerts.detectors_sweep()
    webhooks.webhook_deliveries_requeue_stuck()
    return scored


@shared_task(
    name="incidents.webhook_deliver",
    bind=True,
    acks_late=True,
    time_limit=60,
    soft_time_limit=45,
    max_retries=None,
)
def webhook_deliver_task(self, delivery_id: str) -> None:
    """One attempt at a webhook delivery; on failure, retry later by the delivery's schedule."""
    from incidents.services import webhooks  # cycle break: the services import this module to queue tasks

    try:
        retry_in = webhooks.webhook_delivery_attempt(delivery_id=delivery_id)
    except TRANSIENT_ERRORS as exc:
        # The database or broker went away (HTTP errors are the delivery's own retries, below).
        # Capped: after that the claim's lease runs out and the outbox sweep hands it over again.
        if self.request.retries >= RETRY_OPTIONS["max_retries"]:
            raise
        raise self.retry(exc=exc, countdown=min(2 ** (self.request.retries + 1), 300))
    if retry_in is not None:
        # The number of attempts is kept on the delivery row, which stops the retries.
        raise self.retry(countdown=retry_in)


@shared_task(
    name="incidents.notification_email", acks_late=True, time_limit=60, soft_time_limit=45, **RETRY_OPTIONS
)
def notification_email_task(notification_id: str) -> bool:
    from incidents.services import (
        notifications,
    )  # cycle break: the services import this module to queue tasks

    return notifications.notification_email_send(notification_id=notification_id)
