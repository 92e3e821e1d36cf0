"""Crisis-work tasks: the periodic sweep (task reminders and escalations, client-update
reminders, due drills), fanned out per ready brand, and opening incidents from alerts.

Each task runs in the schema it was queued in (tenant-schemas-celery carries it), takes ids as
strings and is safe to run twice: the services claim their rows with conditional UPDATEs.

Services queue these tasks and the tasks call services, the one allowed loop: the services import
this module at the top, so each task imports its service module when it runs."""

import logging

from celery import shared_task

from incidents.models import Alert
from tenants.outbox import RETRY_OPTIONS
from tenants.services import fan_out_to_ready_brands

__all__ = [
    "contact_email_task",
    "crisis_reminders_sweep_all",
    "crisis_reminders_task",
    "incident_auto_open_task",
]

logger = logging.getLogger(__name__)


@shared_task(name="incidents.crisis_reminders_sweep_all", acks_late=True, time_limit=120, soft_time_limit=100)
def crisis_reminders_sweep_all() -> int:
    """Queue `crisis_reminders_task` in every ready brand's schema. Returns how many were queued."""
    return fan_out_to_ready_brands(lambda brand: crisis_reminders_task.delay())


@shared_task(name="incidents.crisis_reminders", acks_late=True, time_limit=300, soft_time_limit=240)
def crisis_reminders_task() -> dict:
    """One brand's sweep: remind, escalate, start due drills."""
    from incidents.services import reminders  # cycle break: the services import this module to queue tasks

    result = reminders.crisis_reminders_run()
    if any(result.values()):
        logger.info("crisis sweep: %s", result)
    return result


@shared_task(
    name="incidents.incident_auto_open", acks_late=True, time_limit=60, soft_time_limit=50, **RETRY_OPTIONS
)
def incident_auto_open_task(alert_id: str) -> str | None:
    """Open an incident for the alert when it is at or above the brand's auto-open severity."""
    from incidents.services import one_crisis  # cycle break: the services import this module to queue tasks

    try:
        incident = one_crisis.incident_auto_open_for_alert(alert_id=alert_id)
    except Alert.DoesNotExist:
        logger.info("alert %s is gone; nothing to open", alert_id)
        return None
    return str(incident.pk) if incident else None


@shared_task(
    name="incidents.contact_email", acks_late=True, time_limit=60, soft_time_limit=45, **RETRY_OPTIONS
)
def contact_email_task(contact_email_id: str) -> bool:
    """Send one recorded email to outside contacts (claimed, so a duplicate sends nothing)."""
    from incidents.services import (
        notifications,
    )  # cycle break: the services import this module to queue tasks

    return notifications.contact_email_send(contact_email_id=contact_email_id)
