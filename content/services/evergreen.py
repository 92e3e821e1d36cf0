"""Evergreen repeats. A variant of an evergreen item may repeat every N days (dateutil's rrule),
anchored to its first publication, until a time or for a count of publications. After each
publication the next occurrence strictly after *now* is scheduled: occurrences missed while the
worker was down (or the confirmation came late) are skipped, never published in a burst. Guards:
at least MIN_REPEAT_DAYS between repeats of one variant, and at most one evergreen post per
platform per day (the brand's day): a clash moves the repeat to the next occurrence."""

from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, rrule
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content.models import HistoryEntry, Variant
from content.permissions import require_content_action
from content.services.history import history_record
from tenants.errors import DomainError

MIN_REPEAT_DAYS = 7
MAX_REPEAT_COUNT = 100
_LOOKAHEAD = 60  # occurrences tried when looking for a day free of other evergreen posts


@transaction.atomic
def variant_evergreen_set(
    *,
    variant_id: UUID,
    actor,
    interval_days: int | None,
    until: datetime | None = None,
    count: int | None = None,
) -> Variant:
    """Set (or with interval_days=None clear) the repeat rule. It never moves the variant's
    current schedule, so editing a rule cannot cause a burst."""
    require_content_action(actor, "schedule")
    variant = Variant.objects.select_for_update().select_related("item").filter(pk=variant_id).first()
    if variant is None:
        raise DomainError(_("No such variant."))
    if interval_days is not None:
        if not variant.item.evergreen:
            raise DomainError(_("Only an evergreen item repeats; mark the item evergreen first."))
        if interval_days < MIN_REPEAT_DAYS:
            raise DomainError(
                _("Repeat at most once every %(n)d days.") % {"n": MIN_REPEAT_DAYS},
                field_errors={"interval_days": [_("At least %(n)d.") % {"n": MIN_REPEAT_DAYS}]},
            )
        if until is not None and count is not None:
            raise DomainError(
                _("Give an end date or a count, not both."), field_errors={"count": [_("Not both.")]}
            )
        if count is not None and not 1 <= count <= MAX_REPEAT_COUNT:
            raise DomainError(
                _("Publish between 1 and %(n)d times.") % {"n": MAX_REPEAT_COUNT},
                field_errors={"count": [_("Out of range.")]},
            )
        if until is not None and timezone.is_naive(until):
            raise DomainError(
                _("Give the time with its zone."), field_errors={"until": [_("Time zone missing.")]}
            )
    else:
        until = count = None
    variant.repeat_interval_days, variant.repeat_until, variant.repeat_count = interval_days, until, count
    variant.save(update_fields=["repeat_interval_days", "repeat_until", "repeat_count", "updated_at"])
    history_record(
        item=variant.item,
        variant=variant,
        action=HistoryEntry.Action.REPEAT_SET,
        actor=actor,
        comment=f"every {interval_days} days" if interval_days else "no repeat",
    )
    return variant


def _occurrences(variant: Variant):
    # No rrule `count`: the count is of publications (evergreen_next checks it), and an occurrence
    # skipped while the worker was down must not use one up.
    return rrule(
        DAILY,
        interval=variant.repeat_interval_days,
        dtstart=variant.repeat_anchor,
        until=variant.repeat_until,
    )


def _day_taken(variant: Variant, at: datetime) -> bool:
    zone = ZoneInfo(connection.tenant.timezone)
    local = at.astimezone(zone)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return (
        Variant.objects.filter(
            platform=variant.platform,
            item__evergreen=True,
            status__in=[Variant.Status.SCHEDULED, Variant.Status.PUBLISHING],
            scheduled_at__gte=start,
            scheduled_at__lt=start + timedelta(days=1),
        )
        .exclude(pk=variant.pk)
        .exists()
    )


def evergreen_next(variant: Variant, *, now: datetime) -> datetime | None:
    """The next repeat strictly after `now`, on a day free of other evergreen posts on the
    platform; None when the rule has run out (until passed, or count reached)."""
    if not variant.repeat_interval_days or variant.repeat_anchor is None:
        return None
    if variant.repeat_count is not None and variant.publications >= variant.repeat_count:
        return None
    tried = 0
    candidate = _occurrences(variant).after(now)
    while candidate is not None and tried < _LOOKAHEAD:
        if not _day_taken(variant, candidate):
            return candidate
        tried += 1
        candidate = _occurrences(variant).after(candidate)
    return None


def evergreen_after_publication(*, variant: Variant, now: datetime) -> None:
    """Called inside the confirmation's transaction: count the publication and, when the rule
    has more to give, put the variant back on the calendar at its next occurrence."""
    variant.publications += 1
    if variant.repeat_anchor is None:
        variant.repeat_anchor = variant.published_at.replace(microsecond=0)  # rrule keeps whole seconds
    fields = ["publications", "repeat_anchor"]
    nxt = evergreen_next(variant, now=now)
    if nxt is not None:
        variant.status, variant.scheduled_at, variant.failures = Variant.Status.SCHEDULED, nxt, 0
        variant.next_attempt_at = variant.lease_until = variant.handed_off_at = None
        fields += ["status", "scheduled_at", "failures", "next_attempt_at", "lease_until", "handed_off_at"]
        history_record(
            item=variant.item,
            variant=variant,
            action=HistoryEntry.Action.REPEAT_NEXT,
            comment=nxt.isoformat(),
        )
    variant.save(update_fields=[*fields, "updated_at"])
