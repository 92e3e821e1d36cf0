"""Reads for the brand's home page: open incidents by severity with their next deadline, new
alerts, complaints waiting against the response target, and the last seven days of mentions by
sentiment. A fixed handful of queries whatever the data (the test counts them)."""

from datetime import datetime, timedelta

from django.db.models import Count, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from incidents.models import Alert, Incident, IncidentTask, Mention, MentionHourly
from incidents.selectors_early_warning import detector_settings_get

DASHBOARD_INCIDENTS = 20
DASHBOARD_ALERTS = 8
DAYS = 7


def _next_deadline(incident: Incident) -> tuple[datetime | None, str]:
    """The sooner of the client update and the earliest open task."""
    options = [
        (incident.status_update_due_at, "client_update"),
        (getattr(incident, "next_task_due_at", None), "task"),
    ]
    options = [(at, kind) for at, kind in options if at]
    return min(options) if options else (None, "")


def dashboard_incidents() -> list[Incident]:
    """Open real incidents, most severe first, each with `next_deadline` and `deadline_kind`.
    One query."""
    incidents = list(
        Incident.objects.filter(status__in=Incident.OPEN_STATUSES, is_drill=False)
        .annotate(
            next_task_due_at=Min("tasks__due_at", filter=~Q(tasks__status__in=IncidentTask.CLOSED_STATUSES)),
            mention_count=Count("mention_links", distinct=True),
        )
        .order_by("severity", "opened_at")[:DASHBOARD_INCIDENTS]
    )
    for incident in incidents:
        incident.next_deadline, incident.deadline_kind = _next_deadline(incident)
    return incidents


def dashboard_new_alerts() -> tuple[int, list[Alert]]:
    """Alerts still open and not on any incident: how many, and the newest few. Two queries."""
    pending = Alert.objects.filter(state=Alert.State.OPEN, incident__isnull=True)
    return pending.count(), list(pending.order_by("-raised_at")[:DASHBOARD_ALERTS])


def dashboard_waiting(*, now: datetime | None = None) -> dict:
    """Complaints and negative mentions still unanswered: how many are past the brand's response
    target, how many are still within it, and the oldest's wait. Two queries (settings, counts)."""
    now = now or timezone.now()
    target = detector_settings_get().response_target_minutes
    due = now - timedelta(minutes=target)
    waiting = Mention.objects.filter(answered_at__isnull=True, is_own=False).filter(
        Q(sentiment_band=Mention.Band.NEGATIVE) | Q(is_complaint=True),
        posted_at__gte=now - timedelta(days=DAYS),
    )
    figures = waiting.aggregate(
        overdue=Count("pk", filter=Q(posted_at__lt=due)),
        within=Count("pk", filter=Q(posted_at__gte=due)),
        oldest=Min("posted_at"),
    )
    oldest = figures["oldest"]
    return {
        "target_minutes": target,
        "overdue": figures["overdue"],
        "within": figures["within"],
        "oldest_wait_minutes": round((now - oldest).total_seconds() / 60) if oldest else None,
    }


def dashboard_mention_days(*, now: datetime | None = None) -> list[dict]:
    """Mentions of the last seven days (the brand's calendar days, today included) by sentiment,
    oldest day first; days without mentions are shown as zero. One query, over the hourly rollups
    (the brand's own posts and drills are not in them), never the raw mentions: a busy brand's week
    is hundreds of thousands of rows. UTC hours add up to the brand's days exactly in a whole-hour
    zone, as in the reports (docs/reports.md)."""
    zone = timezone.get_current_timezone()
    today = timezone.localtime(now or timezone.now(), zone).date()
    first = today - timedelta(days=DAYS - 1)
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    rows = (
        MentionHourly.objects.filter(hour__gte=start)
        .annotate(day=TruncDate("hour", tzinfo=zone))
        .values("day")
        .annotate(
            total=Sum("total"),
            negative=Sum("negative"),
            neutral=Sum("neutral"),
            positive=Sum("positive"),
        )
    )
    by_day = {row["day"]: row for row in rows}
    days = []
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        row = by_day.get(day, {})
        days.append(
            {
                "day": day,
                "total": row.get("total", 0),
                "negative": row.get("negative", 0),
                "neutral": row.get("neutral", 0),
                "positive": row.get("positive", 0),
            }
        )
    peak = max((d["total"] for d in days), default=0) or 1
    for d in days:
        d["width"] = round(100 * d["total"] / peak)
        d["negative_share"] = round(100 * d["negative"] / d["total"]) if d["total"] else 0
    return days


def brand_dashboard_get(*, now: datetime | None = None) -> dict:
    """Everything the brand's home shows."""
    new_alert_count, new_alerts = dashboard_new_alerts()
    return {
        "incidents": dashboard_incidents(),
        "new_alert_count": new_alert_count,
        "new_alerts": new_alerts,
        "waiting": dashboard_waiting(now=now),
        "days": dashboard_mention_days(now=now),
        "now": now or timezone.now(),
    }
