"""The nightly retention run: beat's entry fans out one task per ready brand (periodic queue)."""

import logging

from celery import shared_task

from tenants.fanout import fan_out

__all__ = ["retention_apply_task", "retention_sweep_all"]

logger = logging.getLogger(__name__)


@shared_task(name="incidents.retention_sweep_all", acks_late=True, time_limit=120, soft_time_limit=100)
def retention_sweep_all() -> int:
    """Queue `retention_apply_task` in every ready brand's schema. Returns how many were queued."""
    # One brand per message: a brand's retention run may take minutes.
    return fan_out(retention_apply_task, brands_per_task=1)


@shared_task(name="incidents.retention_apply", acks_late=True, time_limit=300, soft_time_limit=270)
def retention_apply_task() -> dict:
    """One brand's run. Safe to repeat: what is gone is not found again."""
    from incidents.services import retention  # cycle break: the services import this module to queue tasks

    removed = retention.retention_apply()
    if any(removed.values()):
        logger.info("retention: %s", removed)
    return removed
