"""The outbox every app uses for work that must follow a committed write: the row that represents
the work carries its delivery state and lease (OutboxItem), the broker is only told after commit
and may fail without losing anything, and a periodic per-brand sweep hands over again what the
broker never got or a worker never finished. See docs/operations.md, "Delivery guarantees"."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.db import InterfaceError, connection, models, transaction
from django.db import OperationalError as DatabaseError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# Errors that say "try again later", not "this item is wrong": the database or the broker went
# away, or a network peer (SMTP server, webhook receiver) did. smtplib's errors are OSErrors.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (DatabaseError, InterfaceError, BrokerError, OSError)

# Options for a task that does outbox work: exponential backoff with jitter, capped; after the
# last retry the row's lease expires and the sweep hands the item over again.
RETRY_OPTIONS = {
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 2,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 6,
}

# A claimed item whose worker died is free again after this; longer than any send takes.
LEASE_SECONDS = 300
# An item handed to the broker is left alone by the sweep for this long, so a healthy queue is
# not fed duplicates; the worker's claim does not wait for it.
HANDOVER_GRACE_SECONDS = 120
# Attempts (claims whose send failed) before an item is marked failed for good.
MAX_ATTEMPTS = 8
SWEEP_BATCH = 500


class OutboxItem(models.Model):
    """Delivery state of one piece of outside work carried by the row that represents it."""

    class State(models.TextChoices):
        NONE = "", _("Not requested")
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        DONE = "done", _("Sent")
        FAILED = "failed", _("Failed")

    outbox_state = models.CharField(
        _("delivery"), max_length=8, choices=State.choices, blank=True, default="", db_index=True
    )
    outbox_attempts = models.PositiveSmallIntegerField(_("delivery attempts"), default=0)
    # Pending: not to be handed over again before this; sending: the worker's claim runs until then.
    outbox_lease_until = models.DateTimeField(_("delivery lease until"), null=True, blank=True)
    outbox_error = models.CharField(_("delivery error"), max_length=500, blank=True)

    class Meta:
        abstract = True


def pending_fields(now=None) -> dict:
    """Field values of an item whose work is requested and about to be handed to the broker."""
    now = now or timezone.now()
    return {
        "outbox_state": OutboxItem.State.PENDING,
        "outbox_lease_until": now + timedelta(seconds=HANDOVER_GRACE_SECONDS),
    }


def hand_over(task, *args, **kwargs) -> bool:
    """Give a task to the broker now; a broker failure is logged, never raised (the row records
    the work and the sweep hands it over again). Returns whether the broker took it."""
    try:
        task.delay(*args, **kwargs)
    except Exception:  # noqa: BLE001 - any publish failure is the sweep's to repair, not the caller's
        logger.warning("Could not hand %s to the broker; the outbox sweep will", task.name, exc_info=True)
        return False
    return True


def hand_over_on_commit(task, *args, **kwargs) -> None:
    """hand_over after the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: hand_over(task, *args, **kwargs))


def claim(queryset, pk, *, lease_seconds: int = LEASE_SECONDS) -> bool:
    """Take one item for this attempt with a conditional UPDATE (pending, never requested, or
    sending with an expired lease), committed at once: a second run or worker finds it taken and
    does nothing. Done and failed items are never taken (a failed one is retried explicitly)."""
    now = timezone.now()
    taken = (
        queryset.filter(pk=pk)
        .filter(
            Q(outbox_state__in=(OutboxItem.State.PENDING, OutboxItem.State.NONE))
            | Q(outbox_state=OutboxItem.State.SENDING, outbox_lease_until__lt=now)
        )
        .update(
            outbox_state=OutboxItem.State.SENDING,
            outbox_lease_until=now + timedelta(seconds=lease_seconds),
            outbox_attempts=F("outbox_attempts") + 1,
        )
    )
    return bool(taken)


def with_database_retries(write: Callable[[], int], *, seconds: float = 30) -> int:
    """Run a short write, retrying through a database blip: the outside effect already happened,
    and losing its record would make the sweep repeat it."""
    delay, deadline = 0.5, time.monotonic() + seconds
    while True:
        try:
            return write()
        except (DatabaseError, InterfaceError):
            if time.monotonic() + delay > deadline:
                raise
            logger.warning("Database unavailable while recording a finished delivery; retrying")
            connection.close()
            time.sleep(delay)
            delay = min(delay * 2, 8)


def complete(queryset, pk, **fields) -> int:
    """Record the item as done (with `fields`). Callers outside a transaction wrap it in
    with_database_retries: the effect already happened and must not be repeated by the sweep."""
    return queryset.filter(pk=pk, outbox_state=OutboxItem.State.SENDING).update(
        outbox_state=OutboxItem.State.DONE, outbox_lease_until=None, outbox_error="", **fields
    )


def release(queryset, pk, *, error: str, permanent: bool = False) -> bool:
    """An attempt failed: the item is pending again (a task retry or the sweep picks it up), or
    failed for good after MAX_ATTEMPTS or a `permanent` error. Returns whether it failed for good."""
    item = queryset.filter(pk=pk).values("outbox_attempts").first()
    failed = permanent or (item is not None and item["outbox_attempts"] >= MAX_ATTEMPTS)
    queryset.filter(pk=pk, outbox_state=OutboxItem.State.SENDING).update(
        outbox_state=OutboxItem.State.FAILED if failed else OutboxItem.State.PENDING,
        outbox_lease_until=None,
        outbox_error=error[:500],
    )
    if failed:
        logger.error("Delivery %s failed for good: %s", pk, error[:500])
    return failed


def retry_failed(queryset, task) -> int:
    """Make failed items pending again, with a fresh attempt count, and hand them over after
    commit (the admin's retry action). Items in any other state are left alone."""
    with transaction.atomic():
        ids = list(
            queryset.select_for_update(of=("self",))
            .filter(outbox_state=OutboxItem.State.FAILED)
            .values_list("pk", flat=True)
        )
        queryset.model.objects.filter(pk__in=ids).update(
            outbox_attempts=0, outbox_error="", **pending_fields()
        )
        for pk in ids:
            hand_over_on_commit(task, str(pk))
    return len(ids)


def due(queryset, now=None):
    """Items the broker may never have got, or whose worker never finished."""
    now = now or timezone.now()
    return queryset.filter(
        Q(outbox_state=OutboxItem.State.PENDING, outbox_lease_until__isnull=True)
        | Q(outbox_state=OutboxItem.State.PENDING, outbox_lease_until__lt=now)
        | Q(outbox_state=OutboxItem.State.SENDING, outbox_lease_until__lt=now)
    )


def sweep(queryset, task, *, limit: int = SWEEP_BATCH) -> int:
    """Hand over again the due items of `queryset`, each once: they are locked (SKIP LOCKED) and
    given a new hand-over lease in one transaction, so two sweeps at once never take the same
    item, and the next sweep leaves them alone while they wait in the queue."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            due(queryset, now)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            queryset.model.objects.filter(pk__in=ids).update(**pending_fields(now))
    for pk in ids:
        hand_over(task, str(pk))
    if ids:
        logger.info("outbox sweep handed over %d %s item(s)", len(ids), queryset.model._meta.label)
    return len(ids)


# --- The per-brand sweep: each app registers its sweepers (tenants imports no other app) --------
_SWEEPERS: dict[str, Callable[[], int]] = {}


def register_sweeper(name: str, sweeper: Callable[[], int]) -> None:
    """Run `sweeper()` in every ready brand's schema on each outbox sweep (from AppConfig.ready)."""
    _SWEEPERS[name] = sweeper


def sweep_current_brand() -> dict[str, int]:
    """Every registered sweeper, in the current brand. One failing sweeper does not stop the rest."""
    result = {}
    for name, sweeper in sorted(_SWEEPERS.items()):
        try:
            result[name] = sweeper()
        except TRANSIENT_ERRORS:
            logger.warning("outbox sweeper %s failed; the next sweep retries", name, exc_info=True)
            result[name] = -1
    return result
