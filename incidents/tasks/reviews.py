"""Post-crisis review tasks: compute a review's figures (the review row is the outbox record), and
send the owner the team-feedback digest once the last answer is in (the crisis sweep sends the
others, and any this task never got)."""

import logging

from celery import shared_task

from incidents.models import Review
from tenants.outbox import RETRY_OPTIONS

__all__ = ["review_feedback_digest_task", "review_figures_task"]

logger = logging.getLogger(__name__)


@shared_task(
    name="incidents.review_figures",
    acks_late=True,
    time_limit=300,
    soft_time_limit=240,
    **RETRY_OPTIONS,
)
def review_figures_task(review_id: str) -> bool:
    """Compute one review's figures, once per request (the service claims the row)."""
    from incidents.services import reviews  # cycle break: the services import this module to queue tasks

    try:
        return reviews.review_figures_compute(review_id=review_id)
    except Review.DoesNotExist:
        logger.info("review %s is gone; nothing to compute", review_id)
        return False


@shared_task(
    name="incidents.review_feedback_digest",
    acks_late=True,
    time_limit=120,
    soft_time_limit=100,
    **RETRY_OPTIONS,
)
def review_feedback_digest_task(review_id: str) -> bool:
    """Send one review's feedback digest if it is due and unsent (the service claims the review)."""
    from incidents.services import reviews  # cycle break: the services import this module to queue tasks

    return reviews.review_feedback_digest_send(review_id=review_id)
