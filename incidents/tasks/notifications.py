"""Emails of in-app notifications and to outside contacts, each recorded first and sent once
(services/notifications.py).

Each task runs in the schema it was queued in (tenant-schemas-celery carries it), takes ids as
strings and is safe to run twice: work is claimed with SKIP LOCKED or a conditional UPDATE.
Services queue these tasks and the tasks call services, the one allowed loop: the services import
this module at the top, so each task imports its service module when it runs."""

import logging

from celery import shared_task

from tenants.outbox import RETRY_OPTIONS

logger = logging.getLogger(__name__)

__all__ = [
    "contact_email_task",
    "notification_email_task",
]


@shared_task(
    name="incidents.contact_email", acks_late=True, time_limit=60, soft_time_limit=45, **RETRY_OPTIONS
)
def contact_email_task(contact_email_id: str) -> bool:
    """Send one recorded email to outside contacts (claimed, so a duplicate sends nothing)."""
    from incidents.services import (
        notifications,
    )  # cycle break: the services import this module to queue tasks

    return notifications.contact_email_send(contact_email_id=contact_email_id)


@shared_task(
    name="incidents.notification_email", acks_late=True, time_limit=60, soft_time_limit=45, **RETRY_OPTIONS
)
def notification_email_task(notification_id: str) -> bool:
    from incidents.services import (
        notifications,
    )  # cycle break: the services import this module to queue tasks

    return notifications.notification_email_send(notification_id=notification_id)
