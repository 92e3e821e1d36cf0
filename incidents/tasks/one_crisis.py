"""Opening an incident from an alert, or joining the open one (services/one_crisis.py).

Each task runs in the schema it was queued in (tenant-schemas-celery carries it), takes ids as
strings and is safe to run twice: work is claimed with SKIP LOCKED or a conditional UPDATE.
Services queue these tasks and the tasks call services, the one allowed loop: the services import
this module at the top, so each task imports its service module when it runs."""

import logging

from celery import shared_task

from incidents.models import Alert
from tenants.outbox import RETRY_OPTIONS

logger = logging.getLogger(__name__)

__all__ = [
    "incident_auto_open_task",
]


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
