"""Crisis reminder tasks: the periodic sweep (task reminders and escalations, client-update
reminders, due drills), fanned out per ready brand (services/reminders.py).

Each task runs in the schema it was queued in (tenant-schemas-celery carries it), takes ids as
strings and is safe to run twice: work is claimed with SKIP LOCKED or a conditional UPDATE.
Services queue these tasks and the tasks call services, the one allowed loop: the services import
this module at the top, so each task imports its service module when it runs."""

import logging

from celery import shared_task

from tenants.fanout import fan_out

logger = logging.getLogger(__name__)

__all__ = [
    "crisis_reminders_sweep_all",
    "crisis_reminders_task",
]


@shared_task(name="incidents.crisis_reminders_sweep_all", acks_late=True, time_limit=120, soft_time_limit=100)
def crisis_reminders_sweep_all() -> int:
    """Run `crisis_reminders_task` in every ready brand (tenants.fanout). Returns how many brands."""
    return fan_out(crisis_reminders_task)


@shared_task(name="incidents.crisis_reminders", acks_late=True, time_limit=300, soft_time_limit=240)
def crisis_reminders_task() -> dict:
    """One brand's sweep: remind, escalate, start due drills."""
    from incidents.services import reminders  # cycle break: the services import this module to queue tasks

    result = reminders.crisis_reminders_run()
    if any(result.values()):
        logger.info("crisis sweep: %s", result)
    return result
