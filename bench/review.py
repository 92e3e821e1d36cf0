"""Time computing one post-crisis review's figures for a brand with 1,000,000 mentions, against
one aggregate query over the same rows (target: at most 3x that query).

    .venv/bin/python bench/review.py [--count 1000000] [--runs 5] [--reload] [--drop]

Uses the database from the project's settings (DATABASE_URL). Creates the brand `bench-review`
once and loads its mentions over 30 days with one INSERT ... SELECT over generate_series; the
incident lasted 3 days and was resolved 7 days before the load, so all three windows hold data.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
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

SLUG = "bench-review"

_LOAD = """
INSERT INTO incidents_mention (
    id, platform, external_id, kind, author_handle, author_name, text, url, posted_at,
    parent_external_id, reach, engagement, source_language, source_sentiment, language, sentiment,
    sentiment_band, is_abuse, is_threat, is_complaint, is_question, is_own, scored_at, answered_at,
    received_at, updated_at
)
SELECT gen_random_uuid(), (ARRAY['instagram', 'x', 'tiktok', 'facebook'])[1 + g %% 4], 'b-' || g, 'comment',
    'user' || (g %% 40000), '', 'kopi', '', %(now)s - (random() * interval '30 days'), '', 0, 0, '', NULL,
    'id', 0, CASE WHEN g %% 10 < 2 THEN 'negative' WHEN g %% 10 < 7 THEN 'neutral' ELSE 'positive' END,
    false, false, false, false, false, %(now)s, NULL, %(now)s, %(now)s
FROM generate_series(1, %(count)s) AS g
"""
_METRICS = """
INSERT INTO incidents_metricsample (id, platform, measured_at, followers, received_at, updated_at)
SELECT gen_random_uuid(), p, %(now)s - h * interval '1 hour', 100000 + (720 - h) * 5, %(now)s, %(now)s
FROM unnest(ARRAY['instagram', 'x', 'tiktok', 'facebook']) p, generate_series(0, 719) h
"""


def bench_brand(*, reload: bool, count: int):
    call_command("migrate_schemas", interactive=False, verbosity=0)
    brand = Brand.objects.filter(slug=SLUG).first() or brand_create(
        agency=None, slug=SLUG, name="Bench review"
    )
    with tenant_context(brand), connection.cursor() as cursor:
        cursor.execute("SELECT count(*), max(received_at) FROM incidents_mention")
        existing, loaded_at = cursor.fetchone()
        if reload or existing != count:
            cursor.execute("TRUNCATE incidents_mention, incidents_metricsample CASCADE")
            cursor.execute("SELECT now()")
            loaded_at = cursor.fetchone()[0]
            started = time.perf_counter()
            cursor.execute(_LOAD, {"now": loaded_at, "count": count})
            cursor.execute(_METRICS, {"now": loaded_at})
            print(f"loaded {count:,} mentions in {time.perf_counter() - started:.1f}s", flush=True)
            cursor.execute("VACUUM ANALYZE incidents_mention")
            cursor.execute("VACUUM ANALYZE incidents_metricsample")
    connection.set_schema_to_public()
    return brand, loaded_at


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--drop", action="store_true", help="drop the bench brand and exit")
    args = parser.parse_args()
    if args.drop:
        for brand in Brand.objects.filter(slug=SLUG):
            brand.delete(force_drop=True)
        return 0

    from incidents.models import Incident
    from incidents.selectors_figures import review_figures

    brand, loaded_at = bench_brand(reload=args.reload, count=args.count)
    opened, resolved = loaded_at - timedelta(days=10), loaded_at - timedelta(days=7)
    span = resolved - opened
    with tenant_context(brand):
        incident = Incident.objects.filter(number=1).first() or Incident.objects.create(
            number=1, title="Bench crisis", severity=2
        )
        Incident.objects.filter(pk=incident.pk).update(
            opened_at=opened, resolved_at=resolved, status="resolved"
        )
        incident.refresh_from_db()
        review_figures(incident=incident, now=loaded_at)  # warm-up
        figures_ms, aggregate_ms = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            figures, _method = review_figures(incident=incident, now=loaded_at)
            figures_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*), count(*) FILTER (WHERE sentiment_band = 'negative') FROM incidents_mention "
                    "WHERE posted_at >= %s AND posted_at < %s AND NOT is_own",
                    # The same rows the figures read: the before window to the end of the
                    # recovery search (now, here: within 30 days of the resolution).
                    [opened - span, max(resolved + span, loaded_at)],
                )
                cursor.fetchone()
            aggregate_ms.append((time.perf_counter() - started) * 1000)
    connection.set_schema_to_public()
    f, a = statistics.median(figures_ms), statistics.median(aggregate_ms)
    print(f"brand {brand.slug}: {args.count:,} mentions over 30 days; crisis of 3 days resolved 7 days ago")
    print(
        f"figures, {args.runs} runs: median {f:.1f} ms (min {min(figures_ms):.1f}, max {max(figures_ms):.1f})"
    )
    print(f"one aggregate over the same rows: median {a:.1f} ms; ratio {f / a:.2f}x")
    print(f"target <= 3x: {'met' if f <= 3 * a else 'NOT met'}")
    print({k: figures[k] for k in ("negative_share_before", "negative_share_during", "negative_share_after")})
    return 0


if __name__ == "__main__":
    sys.exit(main())
