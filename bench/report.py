"""Time the brand report over 90 days for a brand with 1,000,000 mentions (target: p95 < 300 ms),
and the ratio of the rollup path to the same mention figures computed from the raw mentions in the
same run (and that both give the same numbers).

    .venv/bin/python bench/report.py [--count 1000000] [--runs 30] [--reload] [--drop]

Uses the database from the project's settings (DATABASE_URL). Creates the brand `bench-report`
once and loads its mentions over 180 days (the report's 90 days and the 90 before) with one
INSERT ... SELECT over generate_series per 250,000 rows, so the load also measures the rollup
trigger on large statements; a few incidents, responses and follower samples join them.
"""

import argparse
import os
import statistics
import sys
import time
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from tenants.models import Brand  # noqa: E402
from tenants.services import brand_create  # noqa: E402

SLUG = "bench-report"
CHUNK = 250_000

_LOAD = """
INSERT INTO incidents_mention (
    id, platform, external_id, kind, author_handle, author_name, text, url, posted_at,
    parent_external_id, reach, engagement, source_language, source_sentiment, language, sentiment,
    sentiment_band, is_abuse, is_threat, is_complaint, is_question, is_own, scored_at, answered_at,
    received_at, updated_at
)
SELECT gen_random_uuid(), (ARRAY['instagram', 'x', 'tiktok', 'facebook'])[1 + g %% 4], 'r-' || g, 'comment',
    'user' || (g %% 40000), '', 'kopi', '', t, '', 0, 0, '', NULL,
    'id', 0, CASE WHEN g %% 10 < 2 THEN 'negative' WHEN g %% 10 < 7 THEN 'neutral' ELSE 'positive' END,
    false, false, g %% 17 = 0, false, g %% 50 = 0, t, CASE WHEN g %% 3 = 0 THEN t + (g %% 120) * interval '1 minute' END,
    %(now)s, %(now)s
FROM generate_series(%(first)s, %(last)s) AS g,
    -- Spread over 180 days by g (a multiplier prime to the span), so every hour holds mentions.
    LATERAL (SELECT %(now)s - ((g::bigint * 7919) %% 15552000) * interval '1 second' AS t) AS p
"""
_METRICS = """
INSERT INTO incidents_metricsample (id, platform, measured_at, followers, received_at, updated_at)
SELECT gen_random_uuid(), p, %(now)s - h * interval '1 hour', 100000 + (4320 - h) * 5, %(now)s, %(now)s
FROM unnest(ARRAY['instagram', 'x', 'tiktok', 'facebook']) p, generate_series(0, 4319) h
"""
_INCIDENTS = """
INSERT INTO incidents_incident (id, number, title, summary, severity, status, source_category, root_cause_notes,
    resolution_summary, review_summary, affected_platforms, is_drill, opened_at, first_response_at, resolved_at,
    reopen_count, updated_at)
SELECT gen_random_uuid(), n, 'Bench incident ' || n, '', 1 + n %% 4, 'resolved', 'product_defect', '', '', '', '{}',
    n %% 10 = 0, o, o + (n %% 9) * interval '1 hour', o + (n %% 90) * interval '1 hour', 0, o
FROM generate_series(1, 200) n, LATERAL (SELECT %(now)s - (n * interval '21 hours') AS o) AS x
"""

# The mention figures of the report straight from the raw rows: totals and complaints for the
# period and the previous one, per platform, and per day in the brand's zone.
_RAW_TOTALS = """
SELECT platform, count(*), count(*) FILTER (WHERE sentiment_band = 'negative'),
    count(*) FILTER (WHERE sentiment_band = 'neutral'), count(*) FILTER (WHERE sentiment_band = 'positive'),
    count(*) FILTER (WHERE sentiment_band = 'negative' OR is_complaint),
    count(*) FILTER (WHERE (sentiment_band = 'negative' OR is_complaint) AND answered_at IS NOT NULL),
    count(*) FILTER (WHERE (sentiment_band = 'negative' OR is_complaint)
        AND answered_at <= posted_at + make_interval(mins => 60))
FROM incidents_mention WHERE NOT is_own AND posted_at >= %s AND posted_at < %s GROUP BY 1
"""
_RAW_DAILY = """
SELECT date_trunc('day', posted_at AT TIME ZONE %s), count(*), count(*) FILTER (WHERE sentiment_band = 'negative')
FROM incidents_mention WHERE NOT is_own AND posted_at >= %s AND posted_at < %s GROUP BY 1 ORDER BY 1
"""


def bench_brand(*, reload: bool, count: int):
    call_command("migrate_schemas", interactive=False, verbosity=0)
    brand = Brand.objects.filter(slug=SLUG).first() or brand_create(
        agency=None, slug=SLUG, name="Bench report"
    )
    with tenant_context(brand), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_mention")
        if reload or cursor.fetchone()[0] != count:
            cursor.execute(
                "TRUNCATE incidents_mention, incidents_metricsample, incidents_mentionhourly, "
                "incidents_followerhourly, incidents_incident CASCADE"
            )
            cursor.execute("SELECT now()")
            now = cursor.fetchone()[0]
            started = time.perf_counter()
            for first in range(1, count + 1, CHUNK):
                cursor.execute(_LOAD, {"now": now, "first": first, "last": min(first + CHUNK - 1, count)})
            load_s = time.perf_counter() - started
            cursor.execute(_METRICS, {"now": now})
            cursor.execute(_INCIDENTS, {"now": now})
            print(f"loaded {count:,} mentions in {load_s:.1f}s (rollup triggers included)", flush=True)
            cursor.execute("SELECT count(*) FROM incidents_mentionhourly")
            print(f"rollup cells: {cursor.fetchone()[0]:,}", flush=True)
            for table in ("incidents_mention", "incidents_mentionhourly", "incidents_followerhourly"):
                cursor.execute(f"VACUUM ANALYZE {table}")
    connection.set_schema_to_public()
    return brand


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--drop", action="store_true", help="drop the bench brand and exit")
    args = parser.parse_args()
    if args.drop:
        for brand in Brand.objects.filter(slug=SLUG):
            brand.delete(force_drop=True)
        return 0

    from incidents import selectors_figures as figures
    from reports.periods import period_resolve
    from reports.selectors import report_summary

    brand = bench_brand(reload=args.reload, count=args.count)
    tz = brand.timezone
    with tenant_context(brand):
        period = period_resolve(tz=tz, key="90d")

        def rollup_mentions():
            totals = figures.mention_totals(start=period.start, end=period.end)
            previous = figures.mention_totals(start=period.previous_start, end=period.start)
            series = figures.mention_series(start=period.start, end=period.end, tz=tz)
            return totals, previous, series

        def raw_mentions():
            with connection.cursor() as cursor:
                cursor.execute(_RAW_TOTALS, [period.start, period.end])
                totals = cursor.fetchall()
                cursor.execute(_RAW_TOTALS, [period.previous_start, period.start])
                previous = cursor.fetchall()
                cursor.execute(_RAW_DAILY, [tz, period.start, period.end])
                daily = cursor.fetchall()
            return totals, previous, daily

        def summary():
            return report_summary(
                start=period.start, end=period.end, key=period.key, label=period.label,
                previous_start=period.previous_start,
            )  # fmt: skip

        summary(), rollup_mentions(), raw_mentions()  # warm-up
        timings: dict[str, list[float]] = {"summary": [], "rollup": [], "raw": []}
        for _ in range(args.runs):
            for name, fn in (("summary", summary), ("rollup", rollup_mentions), ("raw", raw_mentions)):
                started = time.perf_counter()
                result = fn()
                timings[name].append((time.perf_counter() - started) * 1000)
                if name == "rollup":
                    rollup_result = result
                elif name == "raw":
                    raw_result = result

        # The same numbers both ways.
        totals, _previous, series = rollup_result
        raw_totals, _raw_previous, raw_daily = raw_result
        zone = zoneinfo.ZoneInfo(tz)
        assert sum(r[1] for r in raw_totals) == totals["total"], (raw_totals, totals["total"])
        assert sum(r[2] for r in raw_totals) == totals["negative"]
        assert sum(r[7] for r in raw_totals) == totals["complaints_answered_in_target"]
        by_day = {p["at"]: (p["total"], p["negative"]) for p in series}
        for day, total, negative in raw_daily:
            assert by_day[day.replace(tzinfo=zone)] == (total, negative), day

    print(f"mentions in the brand: {args.count:,}; report period: {period.label} ({tz}); runs: {args.runs}")
    for name, label in (
        ("summary", "whole report_summary (rollups + incidents, responses, surveys, content)"),
        ("rollup", "mention figures from the rollups"),
        ("raw", "the same mention figures from raw mentions"),
    ):
        values = timings[name]
        print(
            f"{label}: p50 {statistics.median(values):.1f} ms, p95 {_pct(values, 0.95):.1f} ms, "
            f"max {max(values):.1f} ms"
        )
    ratio = statistics.median(timings["raw"]) / statistics.median(timings["rollup"])
    print(f"raw ÷ rollup (p50): {ratio:.0f}x; figures equal: yes")
    p95 = _pct(timings["summary"], 0.95)
    print(f"target p95 < 300 ms: {'met' if p95 < 300 else 'MISSED'} ({p95:.1f} ms)")
    return 0 if p95 < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
