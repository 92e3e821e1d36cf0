"""The brand report's figures over a period, compared with the previous period of the same length.
Every figure the report pages, the CSV and PDF exports, the scheduled emails and the API show comes
from here (which reads the rollups kept by incidents, never raw mentions at request time).

Contract of `report_summary` (JSON-ready: numbers, strings, ISO-8601 times in the brand's zone,
None where there is nothing to compute). Keys may be added; none of these may change meaning:

    period:       {key, label, start, end, previous_start, previous_end, timezone}
    mentions:     {total, negative, negative_share, previous: {total, negative, negative_share},
                   by_platform: [{platform, total, negative, negative_share}]}
    series:       {interval: "day"|"hour",
                   points: [{at, total, negative, neutral, positive, complaints}]}
    followers:    [{platform, start, end, change}]
    incidents:    {count, previous_count, by_severity: [{severity, label, count}],
                   by_category: [{category, label, count}],
                   first_response: {median_s, p90_s}, resolve: {median_s, p90_s},
                   missed: [{id, title, severity, first_response_s, resolve_s,
                             first_response_target_s, resolve_target_s}]}
    responses:    {sent, approval_median_s, approval_p90_s}
    complaints:   {total, answered, unanswered, answered_within_target, share_within_target,
                   target_minutes}
    moderation:   [{rule, action, count, reasons: [str]}]
    satisfaction: {csat, nps, ces, responses, previous: {csat, nps, ces, responses},
                   by_incident: [{id, title, csat, nps, ces, responses}]}
    content:      {published, by_kind: [{kind, label, count}], by_platform: [{platform, count}],
                   engagement: {likes, comments, shares}}

Added keys (h1): mentions also carry neutral, positive, complaints, answered and the previous
period's complaints; each series point also carries answered and negative_share; followers rows
may have start/change None when the platform had no count before the period; incidents carry
`first_response.measured`/`resolve.measured` (how many incidents had one), `targets` (per severity:
{severity, label, first_response_target_s, resolve_target_s}) and each missed row carries number,
severity_label, missed_first_response, missed_resolve; responses carry by_kind [{kind, label,
count}], approved and previous_sent; complaints carry previous {total, answered,
answered_within_target, share_within_target}; moderation rows carry rule_number,
guideline_version, action_label; satisfaction.by_incident rows are real incidents only (drills
never); content carries previous_published.

The previous period is the same number of days before the period; for a calendar month
(`key="month"`) the previous calendar month (pass `previous_start`). All computations live in the
named selectors of incidents (`selectors_figures`, over the rollups), surveys
(`satisfaction_scores`) and content (`published_summary`); this module only assembles them.
Drills are never counted."""

import zoneinfo
from datetime import datetime

from django.db import connection
from django.utils import timezone

from content.selectors import published_performance_list, published_summary
from incidents import selectors_figures as figures
from surveys.selectors import satisfaction_scores, satisfaction_series

MENTION_METRICS = ("mentions", "negative", "neutral", "positive", "negative_share", "complaints", "answered")
METRICS = (*MENTION_METRICS, "followers", "incidents", "csat", "nps", "ces")
_ROLLUP_COLUMN = {"mentions": "total"}


def _zone_name(at: datetime) -> str:
    key = getattr(at.tzinfo, "key", None)
    if key:
        return key
    tenant = getattr(connection, "tenant", None)
    return getattr(tenant, "timezone", None) or "UTC"


def _iso(at: datetime, zone: zoneinfo.ZoneInfo) -> str:
    return at.astimezone(zone).isoformat()


def report_summary(
    *,
    start: datetime,
    end: datetime,
    key: str = "custom",
    label: str = "",
    previous_start: datetime | None = None,
    now: datetime | None = None,
) -> dict:
    """The whole report for [start, end) and the previous period (of the same length unless
    `previous_start` says otherwise). A fixed number of queries whatever the number of mentions."""
    tz = _zone_name(start)
    zone = zoneinfo.ZoneInfo(tz)
    now = now or timezone.now()
    previous_start = previous_start or start - (end - start)
    previous_end = start

    totals = figures.mention_totals(start=start, end=end)
    previous_totals = figures.mention_totals(start=previous_start, end=previous_end)
    complaints = figures.complaint_figures(start=start, end=end, totals=totals)
    previous_complaints = figures.complaint_figures(
        start=previous_start, end=previous_end, totals=previous_totals
    )
    series = figures.mention_series(start=start, end=end, tz=tz, interval="day")
    incidents = figures.incident_figures(start=start, end=end, now=now)
    responses = figures.response_figures(start=start, end=end)
    satisfaction = satisfaction_scores(start=start, end=end)
    previous_satisfaction = satisfaction_scores(start=previous_start, end=previous_end)
    titles = figures.incident_titles(ids=[row["incident_id"] for row in satisfaction["by_incident"]])
    content = published_summary(start=start, end=end)

    return {
        "period": {
            "key": key,
            "label": label,
            "start": _iso(start, zone),
            "end": _iso(end, zone),
            "previous_start": _iso(previous_start, zone),
            "previous_end": _iso(previous_end, zone),
            "timezone": tz,
        },
        "mentions": {
            "total": totals["total"],
            "negative": totals["negative"],
            "neutral": totals["neutral"],
            "positive": totals["positive"],
            "complaints": totals["complaints"],
            "answered": totals["answered"],
            "negative_share": totals["negative_share"],
            "previous": {
                "total": previous_totals["total"],
                "negative": previous_totals["negative"],
                "negative_share": previous_totals["negative_share"],
                "complaints": previous_totals["complaints"],
            },
            "by_platform": [
                {
                    k: row[k]
                    for k in ("platform", "total", "negative", "neutral", "positive", "negative_share")
                }
                for row in totals["by_platform"]
            ],
        },
        "series": {
            "interval": "day",
            "points": [
                {
                    "at": _iso(point["at"], zone),
                    **{
                        k: point[k]
                        for k in ("total", "negative", "neutral", "positive", "complaints", "answered")
                    },
                    "negative_share": figures.share(point["negative"], point["total"]),
                }
                for point in series
            ],
        },
        "followers": figures.follower_change(start=start, end=end),
        "incidents": {
            **incidents,
            "previous_count": figures.incident_count(start=previous_start, end=previous_end),
        },
        "responses": {
            **responses,
            "previous_sent": figures.response_figures(start=previous_start, end=previous_end)["sent"],
        },
        "complaints": {
            **complaints,
            "previous": {
                k: previous_complaints[k]
                for k in ("total", "answered", "answered_within_target", "share_within_target")
            },
        },
        "moderation": figures.moderation_figures(start=start, end=end),
        "satisfaction": {
            **{k: satisfaction[k] for k in ("csat", "nps", "ces", "responses")},
            "previous": {k: previous_satisfaction[k] for k in ("csat", "nps", "ces", "responses")},
            "by_incident": [
                {
                    "id": row["incident_id"],
                    "title": titles[row["incident_id"]],
                    **{k: row[k] for k in ("csat", "nps", "ces", "responses")},
                }
                for row in satisfaction["by_incident"]
                if row["incident_id"] in titles
            ],
        },
        "content": {
            **content,
            "previous_published": published_summary(start=previous_start, end=previous_end)["published"],
        },
    }


def report_timeseries(*, metric: str, interval: str, start: datetime, end: datetime) -> dict:
    """One metric per hour or per the brand's day over [start, end): {metric, interval, timezone,
    points: [{at, value}]}; followers points also carry by_platform {platform: count} (value is
    their sum). Empty buckets are 0 for counts and None for shares and scores."""
    if metric not in METRICS:
        raise ValueError(metric)
    tz = _zone_name(start)
    zone = zoneinfo.ZoneInfo(tz)
    points: list[dict]
    if metric in MENTION_METRICS:
        rows = figures.mention_series(start=start, end=end, tz=tz, interval=interval)
        if metric == "negative_share":
            points = [{"at": r["at"], "value": figures.share(r["negative"], r["total"])} for r in rows]
        else:
            column = _ROLLUP_COLUMN.get(metric, metric)
            points = [{"at": r["at"], "value": r[column]} for r in rows]
    elif metric == "followers":
        rows = figures.follower_series(start=start, end=end, tz=tz, interval=interval)
        points = [
            {"at": r["at"], "value": sum(r["followers"].values()) if r["followers"] else None,
             "by_platform": r["followers"]}
            for r in rows
        ]  # fmt: skip
    elif metric == "incidents":
        rows = figures.incident_opened_series(start=start, end=end, tz=tz, interval=interval)
        points = [{"at": r["at"], "value": r["count"]} for r in rows]
    else:
        scores = satisfaction_series(start=start, end=end, tz=tz, interval=interval)
        points = [
            {
                "at": at,
                "value": scores.get(at, {}).get(metric),
                "responses": scores.get(at, {}).get("responses", 0),
            }
            for at in figures.buckets(start=start, end=end, tz=tz, interval=interval)
        ]
    return {
        "metric": metric,
        "interval": interval,
        "timezone": tz,
        "points": [{**point, "at": _iso(point["at"], zone)} for point in points],
    }


def report_mention_points(*, start: datetime, end: datetime, interval: str) -> list[dict]:
    """Every mention count per hour or per the brand's day, in the summary's series point shape
    (the page's hourly drill-down)."""
    tz = _zone_name(start)
    zone = zoneinfo.ZoneInfo(tz)
    return [
        {
            "at": _iso(point["at"], zone),
            **{k: point[k] for k in ("total", "negative", "neutral", "positive", "complaints", "answered")},
            "negative_share": figures.share(point["negative"], point["total"]),
        }
        for point in figures.mention_series(start=start, end=end, tz=tz, interval=interval)
    ]


def report_content_posts(*, start: datetime, end: datetime, limit: int = 50) -> list[dict]:
    """The brand's posts published in the period, newest first, with their reach, engagement and
    the sentiment of the replies to them (content's `published_performance_list`)."""
    return published_performance_list(start=start, end=end, limit=limit)
