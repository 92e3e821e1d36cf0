"""The brand's figures, for client reports (over a period) and post-crisis reviews (of one incident):
the one place a figure is computed. Mention, complaint and follower figures over a period read the
hourly rollups (never raw mentions); incident, response and moderation figures read their own
(small) tables, over a period or for one incident. A review's before/during/after windows are cut
at the minute, so they count the incident's mentions in one scan (`review_figures`). Drills are
never counted in a period, nor the brand's own posts. Times in and out are aware datetimes; days
and hours are cut in the zone given (the brand's), which the UTC hours of the rollups support for
every whole-hour zone."""

import math
import zoneinfo
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_noop

from incidents.models import (
    Alert,
    CrisisSettings,
    FollowerHourly,
    Incident,
    IncidentMention,
    Mention,
    MentionHourly,
    ModerationAction,
    Response,
    Severity,
    SourceCategory,
)
from incidents.rollups import COLUMNS, response_target_minutes
from surveys.selectors import incident_survey_scores

INTERVALS = ("hour", "day")


def percentile(values: list[float], q: float) -> float | None:
    """PostgreSQL's percentile_cont: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _seconds(value: float | None) -> int | None:
    return None if value is None else round(value)


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- Mentions and complaints (rollups) -----------------------------------------------------------
def mention_totals(*, start: datetime, end: datetime) -> dict:
    """Counts of mentions posted in [start, end) overall and per platform: every rollup column,
    with the negative share."""
    rows = (
        MentionHourly.objects.filter(hour__gte=start, hour__lt=end)
        .values("platform")
        .annotate(**{c: Sum(c) for c in COLUMNS})
        .order_by("platform")
    )
    totals = dict.fromkeys(COLUMNS, 0)
    by_platform = []
    for row in rows:
        if not row["total"]:
            continue
        for c in COLUMNS:
            totals[c] += row[c]
        by_platform.append({**row, "negative_share": share(row["negative"], row["total"])})
    by_platform.sort(key=lambda r: (-r["total"], r["platform"]))
    return {
        **totals,
        "negative_share": share(totals["negative"], totals["total"]),
        "by_platform": by_platform,
    }


def buckets(*, start: datetime, end: datetime, tz: str, interval: str) -> list[datetime]:
    """The starts of the hours or the brand's days in [start, end), aware, in the zone."""
    zone = zoneinfo.ZoneInfo(tz)
    if interval == "hour":
        at = start.astimezone(zone).replace(minute=0, second=0, microsecond=0)
        out = []
        while at < end:
            out.append(at.astimezone(zone))
            at = (at.astimezone(zoneinfo.ZoneInfo("UTC")) + timedelta(hours=1)).astimezone(zone)
        return out
    day = start.astimezone(zone).date()
    out = []
    while True:
        at = datetime(day.year, day.month, day.day, tzinfo=zone)
        if at >= end:
            return out
        out.append(at)
        day += timedelta(days=1)


def mention_series(
    *, start: datetime, end: datetime, tz: str, interval: str = "day", platform: str | None = None
) -> list[dict]:
    """Per hour or per the brand's day in [start, end): every rollup column (zeros included)."""
    zone = zoneinfo.ZoneInfo(tz)
    sums = ", ".join(f"sum({c})" for c in COLUMNS)
    where = "hour >= %(start)s AND hour < %(end)s" + (" AND platform = %(platform)s" if platform else "")
    # Summed per UTC hour in SQL, cut into the brand's days here: a zone conversion per hour row in
    # SQL cost more than the whole rest of the query.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT hour, {sums} FROM incidents_mentionhourly WHERE {where} GROUP BY hour",  # noqa: S608 - fixed SQL
            {"start": start, "end": end, "platform": platform},
        )
        rows = cursor.fetchall()
    found: dict = {}
    for hour, *counts in rows:
        local = hour.astimezone(zone)
        key = (
            datetime(local.year, local.month, local.day, tzinfo=zone)
            if interval == "day"
            else local.replace(minute=0, second=0, microsecond=0)
        )
        cell = found.get(key)
        if cell is None:
            found[key] = counts
        else:
            found[key] = [a + b for a, b in zip(cell, counts, strict=True)]
    found = {key: dict(zip(COLUMNS, counts, strict=True)) for key, counts in found.items()}
    zero = dict.fromkeys(COLUMNS, 0)
    points = []
    for at in buckets(start=start, end=end, tz=tz, interval=interval):
        points.append({"at": at, **found.get(at, zero)})
    return points


def complaint_figures(*, start: datetime, end: datetime, totals: dict | None = None) -> dict:
    """Complaints (negative or complaint mentions) posted in the period, how many were answered,
    and how many within the brand's response target."""
    totals = totals or mention_totals(start=start, end=end)
    complaints, answered = totals["complaints"], totals["complaints_answered"]
    return {
        "total": complaints,
        "answered": answered,
        "unanswered": complaints - answered,
        "answered_within_target": totals["complaints_answered_in_target"],
        "share_within_target": share(totals["complaints_answered_in_target"], complaints),
        "target_minutes": response_target_minutes(),
    }


# --- Followers (rollups) ------------------------------------------------------------------------
def _followers_before(at: datetime) -> dict[str, int]:
    """{platform: the last count in an hour before `at`}: one backward walk of the (hour, platform)
    key per platform, instead of sorting every hour of every platform."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.platform, f.followers FROM (SELECT DISTINCT platform FROM incidents_followerhourly) AS p, "
            "LATERAL (SELECT followers FROM incidents_followerhourly h WHERE h.platform = p.platform "
            "AND h.hour < %s ORDER BY h.hour DESC LIMIT 1) AS f",
            [at],
        )
        return dict(cursor.fetchall())


def follower_change(*, start: datetime, end: datetime) -> list[dict]:
    """Per platform: the last count before the period, the last one before its end, the change."""
    before, after = _followers_before(start), _followers_before(end)
    return [
        {
            "platform": platform,
            "start": before.get(platform),
            "end": after[platform],
            "change": after[platform] - before[platform] if platform in before else None,
        }
        for platform in sorted(after)
    ]


def follower_series(*, start: datetime, end: datetime, tz: str, interval: str = "day") -> list[dict]:
    """Per hour or per the brand's day: the last follower count at the bucket's end, per platform
    (carried forward from earlier buckets when none was reported in it)."""
    zone = zoneinfo.ZoneInfo(tz)
    starts = buckets(start=start, end=end, tz=tz, interval=interval)
    carried = _followers_before(start)
    rows = FollowerHourly.objects.filter(hour__gte=start, hour__lt=end).order_by("hour")
    by_bucket: dict = defaultdict(dict)
    for row in rows.values("hour", "platform", "followers"):
        local = row["hour"].astimezone(zone)
        key = local.replace(minute=0, second=0, microsecond=0)
        if interval == "day":
            key = datetime(local.year, local.month, local.day, tzinfo=zone)
        by_bucket[key][row["platform"]] = row["followers"]
    points = []
    for at in starts:
        carried = {**carried, **by_bucket.get(at, {})}
        points.append({"at": at, "followers": dict(sorted(carried.items()))})
    return points


# --- Incidents ----------------------------------------------------------------------------------
def client_incidents(*, start: datetime, end: datetime):
    """Real incidents opened in [start, end): no drills, none merged into another."""
    return Incident.objects.filter(opened_at__gte=start, opened_at__lt=end, is_drill=False).exclude(
        status=Incident.Status.MERGED
    )


def incident_figures(*, start: datetime, end: datetime, now: datetime | None = None) -> dict:
    """Incidents opened in the period: by severity and source category, time to first public
    response and to resolve (median, p90) and the incidents that missed their severity's target
    (late, or still without a response or resolution past it)."""
    now = now or timezone.now()
    plan = CrisisSettings.objects.filter(pk=1).first() or CrisisSettings()
    incidents = list(
        client_incidents(start=start, end=end)
        .order_by("opened_at")
        .values(
            "id",
            "number",
            "title",
            "severity",
            "source_category",
            "opened_at",
            "first_response_at",
            "resolved_at",
        )
    )
    severity_counts = defaultdict(int)
    category_counts = defaultdict(int)
    first_response, resolve, missed = [], [], []
    for incident in incidents:
        severity_counts[incident["severity"]] += 1
        category_counts[incident["source_category"]] += 1
        opened = incident["opened_at"]
        fr = (
            (incident["first_response_at"] - opened).total_seconds()
            if incident["first_response_at"]
            else None
        )
        rs = (incident["resolved_at"] - opened).total_seconds() if incident["resolved_at"] else None
        if fr is not None:
            first_response.append(fr)
        if rs is not None:
            resolve.append(rs)
        fr_target, rs_target = plan.targets_s(incident["severity"])
        waited = (now - opened).total_seconds()
        missed_response = fr > fr_target if fr is not None else waited > fr_target
        missed_resolve = rs > rs_target if rs is not None else waited > rs_target
        if missed_response or missed_resolve:
            missed.append(
                {
                    "id": str(incident["id"]),
                    "number": incident["number"],
                    "title": incident["title"],
                    "severity": incident["severity"],
                    "severity_label": str(Severity(incident["severity"]).label),
                    "first_response_s": _seconds(fr),
                    "resolve_s": _seconds(rs),
                    "first_response_target_s": fr_target,
                    "resolve_target_s": rs_target,
                    "missed_first_response": missed_response,
                    "missed_resolve": missed_resolve,
                }
            )
    categories = dict(SourceCategory.choices)
    return {
        "count": len(incidents),
        "by_severity": [
            {"severity": value, "label": str(label), "count": severity_counts[value]}
            for value, label in Severity.choices
        ],
        "by_category": [
            {"category": key, "label": str(categories.get(key, "—")), "count": count}
            for key, count in sorted(category_counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        "first_response": {
            "median_s": _seconds(percentile(first_response, 0.5)),
            "p90_s": _seconds(percentile(first_response, 0.9)),
            "measured": len(first_response),
        },
        "resolve": {
            "median_s": _seconds(percentile(resolve, 0.5)),
            "p90_s": _seconds(percentile(resolve, 0.9)),
            "measured": len(resolve),
        },
        "targets": [
            {
                "severity": value,
                "label": str(label),
                "first_response_target_s": plan.targets_s(value)[0],
                "resolve_target_s": plan.targets_s(value)[1],
            }
            for value, label in Severity.choices
        ],
        "missed": missed,
    }


def incident_count(*, start: datetime, end: datetime) -> int:
    return client_incidents(start=start, end=end).count()


def incident_opened_series(*, start: datetime, end: datetime, tz: str, interval: str = "day") -> list[dict]:
    zone = zoneinfo.ZoneInfo(tz)
    counts: dict = defaultdict(int)
    for opened in client_incidents(start=start, end=end).values_list("opened_at", flat=True):
        local = opened.astimezone(zone)
        key = (
            datetime(local.year, local.month, local.day, tzinfo=zone)
            if interval == "day"
            else local.replace(minute=0, second=0, microsecond=0)
        )
        counts[key] += 1
    return [
        {"at": at, "count": counts.get(at, 0)}
        for at in buckets(start=start, end=end, tz=tz, interval=interval)
    ]


# --- Responses and moderation -------------------------------------------------------------------
def _not_drill(prefix: str = "incident") -> Q:
    return Q(**{f"{prefix}__isnull": True}) | Q(**{f"{prefix}__is_drill": False})


def _sent_responses(*, start, end, incident):
    if incident is not None:
        return Response.objects.filter(incident=incident, sent_at__isnull=False)
    return Response.objects.filter(_not_drill(), sent_at__gte=start, sent_at__lt=end)


def response_figures(*, start: datetime | None = None, end: datetime | None = None, incident=None) -> dict:
    """Responses confirmed as sent in the period (none of a drill), or on one incident: replies,
    private messages and statements by kind, and the time from draft to approval of those that
    needed an approval."""
    sent = _sent_responses(start=start, end=end, incident=incident)
    kinds = dict(Response.Kind.choices)
    by_kind: dict = defaultdict(int)
    approvals = []
    for kind, created, approved, needs, needs_client in sent.values_list(
        "kind", "created_at", "approved_at", "requires_approval", "requires_client_approval"
    ):
        needed = needs or needs_client
        by_kind[kind] += 1
        if needed and approved:
            approvals.append((approved - created).total_seconds())
    return {
        "sent": sum(by_kind.values()),
        "by_kind": [
            {"kind": k, "label": str(kinds.get(k, k)), "count": n} for k, n in sorted(by_kind.items())
        ],
        "approved": len(approvals),
        "approval_median_s": _seconds(percentile(approvals, 0.5)),
        "approval_p90_s": _seconds(percentile(approvals, 0.9)),
    }


MODERATION_REASONS_SHOWN = 5


def moderation_figures(
    *, start: datetime | None = None, end: datetime | None = None, incident=None
) -> list[dict]:
    """Moderation actions in the period (none of a drill), or on one incident, by guideline rule and
    action, with the most recent distinct reasons given."""
    actions_taken = (
        ModerationAction.objects.filter(incident=incident)
        if incident is not None
        else ModerationAction.objects.filter(_not_drill(), at__gte=start, at__lt=end)
    )
    rows = actions_taken.select_related("rule__version").order_by("-at")
    actions = dict(ModerationAction.Action.choices)
    groups: dict = {}
    for row in rows:
        key = (row.rule_id, row.action)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "rule": f"{row.rule.number}. {row.rule.title}",
                "rule_number": row.rule.number,
                "guideline_version": row.rule.version.version,
                "action": row.action,
                "action_label": str(actions.get(row.action, row.action)),
                "count": 0,
                "reasons": [],
            }
        group["count"] += 1
        reason = row.reason.strip()
        if reason and reason not in group["reasons"] and len(group["reasons"]) < MODERATION_REASONS_SHOWN:
            group["reasons"].append(reason)
    return sorted(groups.values(), key=lambda g: (-g["count"], g["rule_number"], g["action"]))


def incident_titles(*, ids) -> dict:
    """{id: "#number title"} of real incidents (drills left out)."""
    return {
        str(pk): f"#{number} {title}"
        for pk, number, title in Incident.objects.filter(pk__in=list(ids), is_drill=False).values_list(
            "pk", "number", "title"
        )
    }


# --- One incident, for its post-crisis review ---------------------------------------------------
# The after-resolution share counts as "recovered" within this many points of the share before.
RECOVERY_BAND = 0.05
# Recovery is looked for over this many 24-hour periods after resolution.
RECOVERY_MAX_DAYS = 30
# The before/during/after windows are never shorter than this (a resolve within minutes would
# otherwise compare windows too small to mean anything).
MIN_WINDOW = timedelta(hours=1)


def _between(start: datetime | None, end: datetime | None) -> int | None:
    return int((end - start).total_seconds()) if start and end else None


def review_figures(*, incident: Incident, now: datetime) -> tuple[dict, dict]:
    """(figures, method): every figure of a resolved incident, and how each was computed. A fixed
    number of queries, whatever the number of mentions; a recompute on the same data gives the same
    answer. Response, moderation and follower figures are the period figures above, of this
    incident. Method lines are stored in English and marked for the catalogue, so a review's
    export shows them in its reader's language."""
    figures: dict = {}
    method: dict = {}
    opened, resolved = incident.opened_at, incident.resolved_at or now

    first_negative = IncidentMention.objects.filter(
        incident=incident, mention__sentiment_band=Mention.Band.NEGATIVE
    ).aggregate(at=Min("mention__posted_at"))["at"]
    first_alert = Alert.objects.filter(incident=incident).aggregate(at=Min("raised_at"))["at"]
    detected = min(d for d in (first_alert, opened) if d)
    figures["time_to_detect_s"] = _between(first_negative, detected) if first_negative else None
    method["time_to_detect_s"] = gettext_noop(
        "First negative linked mention's post time to the first alert (or the incident's opening)."
    )
    figures["time_to_first_response_s"] = _between(opened, incident.first_response_at)
    method["time_to_first_response_s"] = gettext_noop("Incident opened to the first public response sent.")
    figures["time_to_resolve_s"] = _between(opened, incident.resolved_at)
    method["time_to_resolve_s"] = gettext_noop(
        "Incident opened to resolved (the last resolution, if reopened)."
    )

    responses = response_figures(incident=incident)
    figures["responses_sent"] = responses["sent"]
    method["responses_sent"] = gettext_noop(
        "Replies, private messages and statements on the incident confirmed as sent."
    )
    figures["responses_approved"] = responses["approved"]
    figures["approval_median_s"] = responses["approval_median_s"]
    figures["approval_p90_s"] = responses["approval_p90_s"]
    method["approval"] = gettext_noop(
        "Of the sent responses that needed an approval (staff or client): draft to approval, median "
        "and 90th percentile."
    )
    figures["unanswered_complaints_peak"] = _unanswered_peak(incident=incident)
    method["unanswered_complaints_peak"] = gettext_noop(
        "The most complaints (negative or complaint mentions linked to the incident, not the brand's "
        "own) waiting for an answer at the same moment: each counts from its post time until it "
        "was answered."
    )
    figures["moderation_by_rule"] = [
        {"rule": g["rule"], "action": g["action"], "count": g["count"]}
        for g in moderation_figures(incident=incident)
    ]
    method["moderation_by_rule"] = gettext_noop(
        "Moderation actions on the incident, by guideline rule and action."
    )

    # Equal windows: as long before the opening, and after the resolution, as the crisis lasted.
    span = max(resolved - opened, MIN_WINDOW)
    windows, days = _mention_counts(
        before_start=opened - span, opened=opened, resolved=resolved, after_end=resolved + span, now=now
    )
    for name in ("before", "during", "after"):
        negative, total = windows.get(name, (0, 0))
        figures[f"negative_volume_{name}"] = negative
        figures[f"negative_share_{name}"] = share(negative, total)
    figures["window_s"] = int(span.total_seconds())
    figures["after_window_complete"] = resolved + span <= now
    method["negative_volume"] = gettext_noop(
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

    figures["follower_change"] = {
        row["platform"]: row["change"]
        for row in follower_change(start=opened, end=min(resolved + span, now))
        if row["change"] is not None
    }
    method["follower_change"] = gettext_noop(
        "Per platform: followers in the last hour reported before the end of the after window (or "
        "now) minus the last hour reported before the opening."
    )

    scores = incident_survey_scores(incident_id=incident.pk)
    figures["survey_invitations"] = scores["invitations"]
    figures["survey_responses"] = scores["responses"]
    figures["csat"] = scores["csat"]["score"]
    figures["nps"] = scores["nps"]["score"]
    figures["ces"] = scores["ces"]["mean"]
    method["csat"] = gettext_noop(
        "Answers of the customers surveyed about this incident: CSAT is the share of 4–5 answers (%), "
        "NPS % promoters − % detractors, CES the mean (1–7). Empty until someone answers."
    )
    return figures, method


def _unanswered_peak(*, incident: Incident) -> int:
    """The highest number of the incident's complaints open at once: +1 at each complaint's post
    time, −1 at its answer, summed in time order (an answer before a post at the same instant)."""
    mention = connection.ops.quote_name(Mention._meta.db_table)
    link = connection.ops.quote_name(IncidentMention._meta.db_table)
    complaint = "(m.is_complaint OR m.sentiment_band = 'negative') AND NOT m.is_own AND l.incident_id = %s"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(max(open), 0) FROM (SELECT sum(delta) OVER (ORDER BY at, delta "  # noqa: S608 - fixed SQL, the table names are the models'
            f"ROWS UNBOUNDED PRECEDING) AS open FROM ("
            f"SELECT m.posted_at AS at, 1 AS delta FROM {mention} m JOIN {link} l ON l.mention_id = m.id "
            f"WHERE {complaint} UNION ALL "
            f"SELECT m.answered_at, -1 FROM {mention} m JOIN {link} l ON l.mention_id = m.id "
            f"WHERE {complaint} AND m.answered_at IS NOT NULL) AS events) AS running",
            [incident.pk, incident.pk],
        )
        return cursor.fetchone()[0]


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
            f"SELECT {', '.join(columns)} FROM {table} WHERE posted_at >= %s AND posted_at < %s AND NOT is_own AND NOT is_drill",  # noqa: S608 - fixed SQL, the table name is the model's
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
