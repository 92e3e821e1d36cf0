"""Coalesced scoring and detector sweeps: however many intake requests commit, at most one scoring
(and one detector) task per brand waits in the queue. The claim is one conditional UPSERT, so two
web processes racing for it queue one task between them."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection

from incidents.models import SweepRequest
from incidents.tasks import sweeps as sweeps_tasks
from tenants import outbox

# A claim older than this is taken to be lost (the broker dropped the message, the publish failed
# half-way) and may be claimed again; longer than a task may run so a slow one is not doubled.
CLAIM_LEASE = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)

_CLAIM = """
INSERT INTO incidents_sweeprequest AS r (kind, queued_at) VALUES (%(kind)s, clock_timestamp())
ON CONFLICT (kind) DO UPDATE SET queued_at = EXCLUDED.queued_at
WHERE r.queued_at IS NULL OR r.queued_at < EXCLUDED.queued_at - %(lease)s
RETURNING kind
"""


def sweep_request_claim(*, kind: str) -> bool:
    """Mark a `kind` task as queued for this brand. False when one is already pending."""
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM, {"kind": kind, "lease": CLAIM_LEASE})
        return cursor.fetchone() is not None


def sweep_request_release(*, kind: str) -> None:
    """Called by the task before it works: anything committed after this queues a new task."""
    SweepRequest.objects.filter(kind=kind).update(queued_at=None)


def _request(kind: str, task) -> bool:
    if not sweep_request_claim(kind=kind):
        return False
    # A broker that is down is logged, never raised: this runs after the intake committed, and the
    # stored rows are the record of the work (the periodic tick scores and sweeps leftovers).
    if not outbox.hand_over(task):
        sweep_request_release(kind=kind)  # nothing was queued: the next request may try again
        return False
    return True


def mentions_scoring_request() -> bool:
    """Queue the brand's scoring task unless one is pending. Returns whether a message was sent."""
    return _request(SweepRequest.Kind.SCORING, sweeps_tasks.mentions_score_task)


def detectors_sweep_request() -> bool:
    """Queue the brand's detector sweep unless one is pending. Returns whether a message was sent."""
    return _request(SweepRequest.Kind.DETECTORS, sweeps_tasks.detectors_sweep_task)
