"""The mention and follower rollups recomputed from the raw rows: the rebuild (`manage.py
rollups_rebuild`) and the raw reading that tests and `bench/report.py` compare the
trigger-maintained rollups with. The triggers (migration `mention_rollups`) apply the same rules
row by row; this module is their specification in one statement."""

from datetime import UTC, datetime

from django.db import connection, transaction

from incidents.models import FollowerHourly, MentionHourly

COLUMNS = (
    "total",
    "negative",
    "neutral",
    "positive",
    "answered",
    "complaints",
    "complaints_answered",
    "complaints_answered_in_target",
)

# Per (UTC hour, platform) from the raw mentions, the brand's own posts and drills' simulated posts
# left out. A complaint is a
# negative mention or one scored as a complaint (the unanswered-complaints detector's rule).
_FROM_RAW = """
SELECT date_trunc('hour', posted_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, platform,
    count(*) AS total,
    count(*) FILTER (WHERE sentiment_band = 'negative') AS negative,
    count(*) FILTER (WHERE sentiment_band = 'neutral') AS neutral,
    count(*) FILTER (WHERE sentiment_band = 'positive') AS positive,
    count(*) FILTER (WHERE answered_at IS NOT NULL) AS answered,
    count(*) FILTER (WHERE sentiment_band = 'negative' OR is_complaint) AS complaints,
    count(*) FILTER (WHERE (sentiment_band = 'negative' OR is_complaint) AND answered_at IS NOT NULL)
        AS complaints_answered,
    count(*) FILTER (WHERE (sentiment_band = 'negative' OR is_complaint)
        AND answered_at <= posted_at + make_interval(mins => %(target)s)) AS complaints_answered_in_target
FROM incidents_mention
WHERE NOT is_own AND NOT is_drill AND posted_at >= %(start)s AND posted_at < %(end)s
GROUP BY 1, 2
"""

_FOLLOWERS_FROM_RAW = """
SELECT DISTINCT ON (1, 2) date_trunc('hour', measured_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', platform,
    followers, measured_at
FROM incidents_metricsample ORDER BY 1, 2, measured_at DESC
"""

_ALL_TIME = (datetime(1900, 1, 1, tzinfo=UTC), datetime(3000, 1, 1, tzinfo=UTC))


def response_target_minutes() -> int:
    from incidents.models import DetectorSettings

    return (
        DetectorSettings.objects.filter(pk=1).values_list("response_target_minutes", flat=True).first() or 60
    )


def mention_hourly_from_raw(*, start: datetime | None = None, end: datetime | None = None) -> dict:
    """{(hour, platform): {column: count}} straight from the mentions (what the rollup must hold)."""
    with connection.cursor() as cursor:
        cursor.execute(
            _FROM_RAW,
            {"start": start or _ALL_TIME[0], "end": end or _ALL_TIME[1], "target": response_target_minutes()},
        )
        return {(row[0], row[1]): dict(zip(COLUMNS, row[2:], strict=True)) for row in cursor.fetchall()}


def mention_hourly_from_rollup(*, start: datetime | None = None, end: datetime | None = None) -> dict:
    """{(hour, platform): {column: count}} as the rollup holds it (cells that count nothing left out)."""
    rows = MentionHourly.objects.filter(hour__gte=start or _ALL_TIME[0], hour__lt=end or _ALL_TIME[1])
    return {
        (row["hour"], row["platform"]): {c: row[c] for c in COLUMNS}
        for row in rows.values("hour", "platform", *COLUMNS)
        if any(row[c] for c in COLUMNS)
    }


@transaction.atomic
def rollups_rebuild() -> dict:
    """Recompute the current brand's rollups from its raw mentions and samples. Writes to mentions
    and samples wait for the rebuild (SHARE lock), so no trigger delta is lost or counted twice;
    running it again gives the same rows."""
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE incidents_mention, incidents_metricsample IN SHARE MODE")
        MentionHourly.objects.all().delete()
        FollowerHourly.objects.all().delete()
        cursor.execute(
            f"INSERT INTO incidents_mentionhourly (hour, platform, {', '.join(COLUMNS)}) {_FROM_RAW}",  # noqa: S608 - fixed SQL
            {"start": _ALL_TIME[0], "end": _ALL_TIME[1], "target": response_target_minutes()},
        )
        mentions = cursor.rowcount
        cursor.execute(
            f"INSERT INTO incidents_followerhourly (hour, platform, followers, measured_at) {_FOLLOWERS_FROM_RAW}"  # noqa: S608
        )
        followers = cursor.rowcount
    return {"mention_cells": mentions, "follower_cells": followers}
