"""Thin Celery tasks for surveys: ids in, one service call each; safe to run twice."""

import logging
from datetime import timedelta

from celery import shared_task

from tenants.outbound import OutboundError
from tenants.outbox import RETRY_OPTIONS

logger = logging.getLogger(__name__)

REMINDER_AFTER_DAYS = 3
# Emails: a mail server, database or broker outage is retried with backoff, up to a cap; the
# services claim the row, so a retry after a half-sent attempt sends nothing twice, and the
# outbox sweep hands over again what the retries did not finish. A messaging provider that did
# not answer (OutboundError) is retried the same way.
EMAIL_TASK_OPTIONS = {
    "acks_late": True,
    **RETRY_OPTIONS,
    "autoretry_for": (*RETRY_OPTIONS["autoretry_for"], OutboundError),
    "time_limit": 60,
    "soft_time_limit": 45,
}


@shared_task(name="surveys.invitation_send", **EMAIL_TASK_OPTIONS)
def invitation_send_task(invitation_id: str) -> bool:
    """Email one invitation (or message it to a phone); the service claims the row, so a duplicate
    finds nothing to send."""
    from surveys.services import invitation_send

    sent = invitation_send(invitation_id=invitation_id)
    logger.info("survey invitation %s: %s", invitation_id, "sent" if sent else "nothing to send")
    return sent


@shared_task(
    name="surveys.invitations_send", acks_late=True, time_limit=120, soft_time_limit=100, **RETRY_OPTIONS
)
def invitations_send_task(invitation_ids: list[str], reminder: bool = False) -> int:
    """In the current brand: one email task per invitation of a batch (the request publishes this
    one message whatever the batch size). A re-run queues duplicates the claim makes no-ops."""
    task = invitation_remind_task if reminder else invitation_send_task
    for pk in invitation_ids:
        task.delay(pk)
    return len(invitation_ids)


@shared_task(name="surveys.invitation_remind", **EMAIL_TASK_OPTIONS)
def invitation_remind_task(invitation_id: str) -> bool:
    from surveys.services import invitation_remind

    sent = invitation_remind(invitation_id=invitation_id)
    logger.info("survey reminder %s: %s", invitation_id, "sent" if sent else "nothing to send")
    return sent


@shared_task(name="surveys.survey_reminders_due", acks_late=True, time_limit=300, soft_time_limit=240)
def survey_reminders_due_task(after_days: float = REMINDER_AFTER_DAYS) -> int:
    """In the current brand: queue one reminder task per invitation that is due one."""
    from surveys.selectors import invitations_due_for_reminder

    ids = [
        str(pk)
        for pk in invitations_due_for_reminder(after=timedelta(days=after_days)).values_list("pk", flat=True)
    ]
    for pk in ids:
        invitation_remind_task.delay(pk)
    logger.info("survey reminders due: %d", len(ids))
    return len(ids)


@shared_task(name="surveys.survey_reminders_sweep", acks_late=True, time_limit=120, soft_time_limit=100)
def survey_reminders_sweep_task(after_days: float = REMINDER_AFTER_DAYS) -> int:
    """Periodic entry point (run in public by beat): fan out the reminder check to every ready brand."""
    from tenants.fanout import fan_out

    return fan_out(survey_reminders_due_task, after_days)
