"""The figures of one incident, as post-crisis reviews (and client reports) show them: each value
comes with one line saying how it was computed, so a reader can check it and a recompute gives the
same answer on the same data. A fixed number of queries, whatever the number of mentions."""

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Min

from incidents.models import Alert, Incident, IncidentMention, Mention, MetricSample, Response
from surveys.selectors import incident_survey_scores

# The after-resolution share counts as "recovered" within this many points of the share before.
RECOVERY_BAND = 0.05
# Recovery is looked for over this many 24-hour periods after resolution.
RECOVERY_MAX_DAYS = 30
# The before/during/after windows are never shorter than this (a resolve within minutes would
# otherwise compare windows too small to mean anything).
MIN_WINDOW = timedelta(hours=1)


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    return int((end - start).total_seconds()) if start and end else None


def _share(negative: int, total: int) -> float | None:
    return round(negative / total, 4) if total else None


def incident_figures(*, incident: Incident, now: datetime) -> tuple[dict, dict]:
    """(figures, method): every figure of a resolved incident, and how each was computed."""
    figures: dict = {}
    method: dict = {}
    opened, resolved = incident.opened_at, incident.resolved_at or now

    first_negative = IncidentMention.objects.filter(
        incident=incident, mention__sentiment_band=Mention.Band.NEGATIVE
    ).aggregate(at=Min("mention__posted_at"))["at"]
    first_alert = Alert.objects.filter(incident=incident).aggregate(at=Min("raised_at"))["at"]
    detected = min(d for d in (first_alert, opened) if d)
    figures["time_to_detect_s"] = _seconds(first_negative, detected) if first_negative else None
    method["time_to_detect_s"] = (
        "First negative linked mention's post time to the first alert (or the incident's opening)."
    )
    figures["time_to_first_response_s"] = _seconds(opened, incident.first_response_at)
    method["time_to_first_response_s"] = "Incident opened to the first public response sent."
    figures["time_to_resolve_s"] = _seconds(opened, incident.resolved_at)
    method["time_to_resolve_s"] = "Incident opened to resolved (the last resolution, if reopened)."
    figures["responses_sent"] = Response.objects.filter(incident=incident, sent_at__isnull=False).count()
    method["responses_sent"] = "Replies and statements on the incident confirmed as sent."

    # Equal windows: as long before the opening, and after the resolution, as the crisis lasted.
    span = max(resolved - opened, MIN_WINDOW)
    windows, days = _mention_counts(
        before_start=opened - span, opened=opened, resolved=resolved, after_end=resolved + span, now=now
    )
    for name in ("before", "during", "after"):
        negative, total = windows.get(name, (0, 0))
        figures[f"negative_volume_{name}"] = negative
        figures[f"negative_share_{name}"] = _share(negative, total)
    figures["window_s"] = int(span.total_seconds())
    figures["after_window_complete"] = resolved + span <= now
    method["negative_volume"] = (
        "Negative mentions of the brand (not its own posts) in three equal windows of the crisis's "
        "length: before the opening, from opening to resolution, and after the resolution; the "
        "share is negative ÷ all mentions in the window."
    )

    figures["sentiment_recovery_days"] = _recovery_days(baseline=figures["negative_share_before"], days=days)
    method["sentiment_recovery_days"] = (
        f"Whole days after resolution until the first 24-hour period whose negative share is within "
        f"{int(RECOVERY_BAND * 100)} points of the share before the crisis (empty: not yet, or no "
        f"mentions before the crisis to compare with; looked for over {RECOVERY_MAX_DAYS} days)."
    )

    figures["follower_change"] = _follower_change(start=opened, end=min(resolved + span, now))
    method["follower_change"] = (
        "Per platform: followers in the last sample at or before the end of the after window (or "
        "now) minus the last sample at or before the opening."
    )

    scores = incident_survey_scores(incident_id=incident.pk)
    figures["survey_invitations"] = scores["invitations"]
    figures["survey_responses"] = scores["responses"]
    figures["csat"] = scores["csat"]["score"]
    figures["nps"] = scores["nps"]["score"]
    figures["ces"] = scores["ces"]["mean"]
    method["csat"] = (
        "Answers of the customers surveyed about this incident: CSAT is the share of 4–5 answers (%), "
        "NPS % promoters − % detractors, CES the mean (1–7). Empty until someone answers."
    )
    return figures, method


def _mention_counts(*, before_start, opened, resolved, after_end, now) -> tuple[dict, dict]:
    """One scan over the mentions from the before window to the end of the recovery search:
    (negative, total) per window, and per whole 24-hour period after resolution that has ended.
    Plain FILTERed counts over timestamp bounds: cheaper per row than grouping by a computed day,
    and PostgreSQL runs it as one parallel aggregate."""
    recovery_end = max(resolved, min(now, resolved + timedelta(days=RECOVERY_MAX_DAYS)))
    ended_days = int((recovery_end - resolved) / timedelta(days=1))
    ranges = {
        "before": (before_start, opened),
        "during": (opened, resolved),
        "after": (resolved, after_end),
        **{
            day: (resolved + timedelta(days=day), resolved + timedelta(days=day + 1))
            for day in range(ended_days)
        },
    }
    columns, params = [], []
    for start, end in ranges.values():
        columns.append(
            "count(*) FILTER (WHERE posted_at >= %s AND posted_at < %s AND sentiment_band = 'negative')"
        )
        columns.append("count(*) FILTER (WHERE posted_at >= %s AND posted_at < %s)")
        params += [start, end, start, end]
    table = connection.ops.quote_name(Mention._meta.db_table)
    scan_end = max(after_end, resolved + timedelta(days=ended_days))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM {table} WHERE posted_at >= %s AND posted_at < %s AND NOT is_own",  # noqa: S608 - fixed SQL, the table name is the model's
            [*params, before_start, scan_end],
        )
        row = cursor.fetchone()
    counts = {key: (row[2 * i], row[2 * i + 1]) for i, key in enumerate(ranges)}
    windows = {key: counts[key] for key in ("before", "during", "after")}
    days = {key: value for key, value in counts.items() if isinstance(key, int)}
    return windows, days


def _recovery_days(*, baseline: float | None, days: dict[int, tuple[int, int]]) -> int | None:
    if baseline is None:
        return None
    for day in sorted(days):
        negative, total = days[day]
        if total and negative / total <= baseline + RECOVERY_BAND:
            return day
    return None


def _follower_change(*, start: datetime, end: datetime) -> dict:
    def last_by_platform(at: datetime) -> dict:
        return dict(
            MetricSample.objects.filter(measured_at__lte=at)
            .order_by("platform", "-measured_at")
            .distinct("platform")
            .values_list("platform", "followers")
        )

    before, after = last_by_platform(start), last_by_platform(end)
    return {platform: after[platform] - before[platform] for platform in sorted(before) if platform in after}
