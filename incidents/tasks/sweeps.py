"""Listening sweeps: scoring mentions, running the detectors, and the early-warning tick fanned
out per ready brand (services/sweeps.py, services/intake.py, services/alerts.py).

Each task runs in the schema it was queued in (tenant-schemas-celery carries it), takes ids as
strings and is safe to run twice: work is claimed with SKIP LOCKED or a conditional UPDATE.
Services queue these tasks and the tasks call services, the one allowed loop: the services import
this module at the top, so each task imports its service module when it runs."""

import logging

from celery import shared_task

from tenants.fanout import fan_out
from tenants.outbox import RETRY_OPTIONS

logger = logging.getLogger(__name__)

__all__ = [
    "detectors_sweep_task",
    "early_warning_brand_tick_task",
    "early_warning_tick_task",
    "mentions_score_task",
]


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
    """Periodic, in public: in every ready brand, score leftovers and sweep (tenants.fanout).
    Returns how many brands it was queued for."""
    return fan_out(early_warning_brand_tick_task)


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
