"""Reads for the agency portfolio's brand health row (computed by reports.health in the brand's
schema): open incidents by severity with the next client-update deadline, alerts raised since a
time, and the negative share of mentions now against the brand's own baseline. A fixed handful of
queries whatever the data; drills never count."""

from datetime import datetime, timedelta

from django.db.models import Count, Min, Q

from incidents.models import Alert, Incident, Mention, Severity


def open_incidents_summary() -> dict:
    """Open real incidents per severity and the soonest client status update due. One query."""
    figures = Incident.objects.filter(status__in=Incident.OPEN_STATUSES, is_drill=False).aggregate(
        critical=Count("pk", filter=Q(severity=Severity.CRITICAL)),
        high=Count("pk", filter=Q(severity=Severity.HIGH)),
        medium=Count("pk", filter=Q(severity=Severity.MEDIUM)),
        low=Count("pk", filter=Q(severity=Severity.LOW)),
        next_client_update_at=Min("status_update_due_at"),
    )
    return figures


def alerts_raised_count(*, since: datetime) -> int:
    """Alerts the detectors raised at or after `since`, whatever became of them. One query."""
    return Alert.objects.filter(raised_at__gte=since).count()


def negative_share_now_and_baseline(*, now: datetime, baseline_days: int = 7) -> dict:
    """The share of negative mentions (not the brand's own posts) in the last 24 hours, and in the
    `baseline_days` × 24 hours before them (the brand's usual share). None where there were no
    mentions. One query over the posted_at index."""
    day_ago = now - timedelta(hours=24)
    start = day_ago - timedelta(days=baseline_days)
    negative = Q(sentiment_band=Mention.Band.NEGATIVE)
    recent, earlier = Q(posted_at__gte=day_ago), Q(posted_at__lt=day_ago)
    counts = Mention.objects.filter(is_own=False, posted_at__gte=start, posted_at__lt=now).aggregate(
        total_now=Count("pk", filter=recent),
        negative_now=Count("pk", filter=recent & negative),
        total_before=Count("pk", filter=earlier),
        negative_before=Count("pk", filter=earlier & negative),
    )

    def share(part: int, whole: int) -> float | None:
        return round(part / whole, 4) if whole else None

    return {
        "mentions_now": counts["total_now"],
        "share_now": share(counts["negative_now"], counts["total_now"]),
        "mentions_baseline": counts["total_before"],
        "share_baseline": share(counts["negative_before"], counts["total_before"]),
    }
