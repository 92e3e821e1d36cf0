"""The agency portfolio over 50 brands: the page's and the API's p50/p95 (target < 1 s), and one
fan-out tick's time (every brand's health refresh, in its schema) over those brands.

    .venv/bin/python bench/portfolio.py [--brands 50] [--mentions 20000] [--runs 30] [--drop]

Uses the database from the project's settings (DATABASE_URL, else the embedded one). Creates the
agency `bench-portfolio` and its brands once by cloning (later runs reuse them) and loads each
brand's mentions over the last 8 days, a few incidents and alerts with SQL (no ORM per row).
`--drop` removes them. The page and API are timed through Django's test client (the full
middleware stack, no network), signed in as the agency's owner.
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

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from reports.health import brand_health_refresh  # noqa: E402
from tenants.models import Agency, AgencyMembership, Brand, User  # noqa: E402
from tenants.services import agency_create, brand_create  # noqa: E402

AGENCY = "bench-portfolio"
OWNER = "owner@bench-portfolio.test"

_MENTIONS = """
INSERT INTO incidents_mention (
    id, platform, external_id, kind, author_handle, author_name, text, url, posted_at,
    parent_external_id, reach, engagement, source_language, source_sentiment, language, sentiment,
    sentiment_band, is_abuse, is_threat, is_complaint, is_question, is_own, scored_at, answered_at,
    received_at, updated_at
)
SELECT gen_random_uuid(), (ARRAY['instagram', 'x', 'tiktok', 'facebook'])[1 + g %% 4], 'p-' || g, 'comment',
    'user' || (g %% 5000), '', 'kopi ' || g, '', now() - (random() * interval '8 days'), '', 10, 1, '', NULL,
    'id', b.sentiment, b.band, false, false, g %% 7 = 0, false, false, now(),
    CASE WHEN random() < 0.9 THEN now() END, now(), now()
FROM generate_series(1, %(count)s) AS g
CROSS JOIN LATERAL (
    SELECT CASE WHEN g %% 10 < %(negative_tenths)s THEN 'negative' WHEN g %% 10 < 7 THEN 'neutral' ELSE 'positive' END AS band,
           CASE WHEN g %% 10 < %(negative_tenths)s THEN -0.6 WHEN g %% 10 < 7 THEN 0.0 ELSE 0.6 END AS sentiment
) b
"""


def _incidents_and_alerts(n: int) -> None:
    """Brand n: n % 5 open incidents of mixed severity with client updates due, n % 7 alerts."""
    from incidents.models import Alert, Incident

    now = timezone.now()
    Incident.objects.bulk_create(
        Incident(
            number=i + 1,
            title=f"Bench incident {i + 1}",
            severity=1 + (i + n) % 4,
            status=Incident.Status.RESPONDING,
            status_update_due_at=now + timedelta(minutes=30 * (i + 1)),
        )
        for i in range(n % 5)
    )
    Alert.objects.bulk_create(
        Alert(
            detector="negative_spike",
            condition_key=f"bench-{i}",
            state=Alert.State.DISMISSED,
            severity=Alert.Severity.MEDIUM,
            title="Bench alert",
            window_start=now,
            window_end=now,
            last_seen_at=now,
        )
        for i in range(n % 7)
    )


def bench_brands(*, count: int, mentions: int) -> list[Brand]:
    call_command("migrate_schemas", interactive=False, verbosity=0)
    agency = Agency.objects.filter(slug=AGENCY).first() or agency_create(slug=AGENCY, name="Bench Portfolio")
    owner = User.objects.filter(email=OWNER).first() or User.objects.create_user(OWNER, None)
    AgencyMembership.objects.get_or_create(user=owner, agency=agency, defaults={"role": "owner"})
    brands = []
    started = time.perf_counter()
    for n in range(count):
        slug = f"bench-pf-{n:02d}"
        brand = Brand.objects.filter(slug=slug).first()
        if brand is None:
            brand = brand_create(agency=agency, slug=slug, name=f"Bench brand {n:02d}")
        with tenant_context(brand), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM incidents_mention")
            if cursor.fetchone()[0] != mentions:
                cursor.execute("TRUNCATE incidents_mention, incidents_alert, incidents_incident CASCADE")
                cursor.execute(_MENTIONS, {"count": mentions, "negative_tenths": 1 + n % 4})
                _incidents_and_alerts(n)
                cursor.execute("ANALYZE incidents_mention")
        brands.append(brand)
    connection.set_schema_to_public()
    print(
        f"{count} brands ready ({mentions:,} mentions each) in {time.perf_counter() - started:.1f}s",
        flush=True,
    )
    return brands


def percentiles(timings: list[float]) -> str:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):7.1f} ms  p95 {p95:7.1f} ms  max {ordered[-1]:7.1f} ms"


def time_get(client: Client, path: str, runs: int) -> list[float]:
    client.get(path)  # warm-up: templates, plan cache
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brands", type=int, default=50)
    parser.add_argument("--mentions", type=int, default=20_000, help="per brand, over the last 8 days")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--drop", action="store_true", help="drop the bench brands and exit")
    args = parser.parse_args()
    if args.drop:
        brands = list(Brand.objects.filter(agency__slug=AGENCY))
        for brand in brands:
            brand.delete(force_drop=True)
        Agency.objects.filter(slug=AGENCY).delete()
        User.objects.filter(email=OWNER).delete()
        print(f"dropped {len(brands)} bench brand(s)")
        return 0

    brands = bench_brands(count=args.brands, mentions=args.mentions)

    # One fan-out tick, in-process: each brand's refresh in its own schema, one after another (a
    # worker pool runs them in parallel; this is the serial cost of a tick).
    per_brand = []
    started = time.perf_counter()
    for brand in brands:
        with tenant_context(brand):
            t0 = time.perf_counter()
            brand_health_refresh()
            per_brand.append((time.perf_counter() - t0) * 1000)
    tick = time.perf_counter() - started
    connection.set_schema_to_public()

    client = Client(HTTP_HOST=settings.MAIN_HOSTS[0])
    client.force_login(User.objects.get(email=OWNER))
    page = time_get(client, "/admin/portfolio/", args.runs)
    page_sorted = time_get(client, "/admin/portfolio/?o=csat_30d", args.runs)
    api = time_get(client, "/api/v1/agency/portfolio/", args.runs)
    api_sorted = time_get(client, "/api/v1/agency/portfolio/?ordering=-negative_share_change", args.runs)

    print(f"portfolio over {len(brands)} brands ({args.mentions:,} mentions each), {args.runs} runs each:")
    print(f"  page /admin/portfolio/                    {percentiles(page)}")
    print(f"  page sorted by CSAT                       {percentiles(page_sorted)}")
    print(f"  API  /api/v1/agency/portfolio/            {percentiles(api)}")
    print(f"  API  ordering=-negative_share_change      {percentiles(api_sorted)}")
    print(
        f"fan-out tick over {len(brands)} brands (serial, in-process): {tick:.2f} s; "
        f"per brand {percentiles(per_brand)}"
    )
    # The same-run baseline: what the page would cost if it computed the figures from every brand's
    # schema at request time (the serial tick) instead of reading the public rows.
    print(
        f"page p50 vs computing the figures from {len(brands)} schemas per request: "
        f"{statistics.median(page):.0f} ms vs {tick * 1000:.0f} ms, ratio {statistics.median(page) / (tick * 1000):.3f}"
    )
    worst = max(sorted(t)[round(0.95 * (len(t) - 1))] for t in (page, page_sorted, api, api_sorted))
    print(f"target p95 < 1 s: {'met' if worst < 1000 else 'NOT met'} (worst p95 {worst:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
