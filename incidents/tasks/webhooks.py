"""Signed webhook deliveries, retried with backoff (services/webhooks.py).

Each task runs in the schema it was queued in (tenant-schemas-celery carries it), takes ids as
strings and is safe to run twice: work is claimed with SKIP LOCKED or a conditional UPDATE.
Services queue these tasks and the tasks call services, the one allowed loop: the services import
this module at the top, so each task imports its service module when it runs."""

import logging

from celery import shared_task

from tenants.outbox import RETRY_OPTIONS, TRANSIENT_ERRORS

logger = logging.getLogger(__name__)

__all__ = [
    "webhook_deliver_task",
]


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
