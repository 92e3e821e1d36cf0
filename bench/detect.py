"""Time one detector sweep for a brand with 1,000,000 mentions over 30 days (target: < 200 ms).

    .venv/bin/python bench/detect.py [--count 1000000] [--runs 5] [--reload]

Uses the database from the project's settings (DATABASE_URL). Creates the brand `bench-detect`
once and loads its mentions with one INSERT … SELECT over generate_series (no ORM); later runs
reuse it and sweep at the time of the load, so the recent windows hold data. `--drop` removes it.
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

SLUG = "bench-detect"

_LOAD = """
INSERT INTO incidents_mention (
    id, platform, external_id, kind, author_handle, author_name, text, url, posted_at,
    parent_external_id, reach, engagement, source_language, source_sentiment, language, sentiment,
    sentiment_band, is_abuse, is_threat, is_complaint, is_question, is_own, scored_at, answered_at,
    received_at, updated_at
)
SELECT gen_random_uuid(), p.platform, 'b-' || g, 'comment', 'user' || (g %% 40000), '',
    {text},
    '', %(now)s - (random() * interval '30 days'), '', (random() * 1000)::int, (random() * 50)::int,
    '', NULL, 'id', b.sentiment, b.band, false, false, g %% 7 = 0, g %% 11 = 0, false, %(now)s,
    CASE WHEN random() < 0.85 THEN %(now)s END, %(now)s, %(now)s
FROM generate_series(1, %(count)s) AS g
CROSS JOIN LATERAL (SELECT (ARRAY['instagram', 'x', 'tiktok', 'facebook'])[1 + g %% 4] AS platform) p
CROSS JOIN LATERAL (
    SELECT CASE WHEN g %% 10 < 2 THEN 'negative' WHEN g %% 10 < 7 THEN 'neutral' ELSE 'positive' END AS band,
           CASE WHEN g %% 10 < 2 THEN -0.6 WHEN g %% 10 < 7 THEN 0.0 ELSE 0.6 END AS sentiment
) b
"""

# A claim copied by many accounts in the last hours, for the rumour detector to find.
_RUMOUR = """
INSERT INTO incidents_mention (
    id, platform, external_id, kind, author_handle, author_name, url, parent_external_id, reach, engagement,
    source_language, is_abuse, is_threat, is_question, is_own, text, posted_at, language, sentiment,
    sentiment_band, is_complaint, scored_at, received_at, updated_at
)
SELECT gen_random_uuid(), 'x', 'r-' || g, 'post', 'spreader' || g, '', '', '', 10, 1, '', false, false, false, false,
    'katanya kopi nusantara pakai biji kopi basi dari gudang bekas banjir jangan beli ' || (ARRAY['', 'guys', 'parah', '!!'])[1 + g %% 4],
    %(now)s - g * interval '4 minutes', 'id', -0.6, 'negative', false, %(now)s, %(now)s, %(now)s
FROM generate_series(1, 40) AS g
"""

WORDS = (
    "kopi enak pesanan belum sampai pelayanan lambat kasir ramah harga naik promo bagus aplikasi error "
    "refund cabang sudirman rasa berubah mantap kecewa banget sekali hari ini kemarin min kak tolong cek "
    "order delivery late great coffee service slow staff friendly app crash price again love this the "
    "was not very good bad store near me latte susu gula aren es manis pahit antri lama parkir sempit "
    "wifi cepat nyaman tempat buka tutup jam weekend teman keluarga kerja meeting nongkrong"
).split()

# Ordinary chatter: 6-10 words drawn at random from a small bilingual vocabulary.
VARIED_TEXT = """(SELECT string_agg((%(words)s::text[])[1 + floor(random() * %(nwords)s)::int], ' ')
     FROM generate_series(1, 6 + g %% 5))"""
# A worst case for the rumour detector: 100 stock phrases repeated by thousands of accounts, so
# nearly every negative post is a near-duplicate of many others (a dozen "claims" at once).
REPETITIVE_TEXT = """(ARRAY['pelayanan lambat', 'kopi enak', 'pesanan belum sampai', 'harga naik terus', 'mantap',
           'kasir ramah', 'aplikasi error', 'refund belum masuk', 'promo bagus', 'rasa berubah'])[1 + g %% 10]
      || ' ' || (ARRAY['hari ini', 'kemarin', 'di cabang sudirman', 'lagi', 'parah', 'banget', 'ya',
                       'min', 'kak', 'sekali'])[1 + (g / 10) %% 10] || ' #' || (g %% 997)"""

_METRICS = """
INSERT INTO incidents_metricsample (id, platform, measured_at, followers, received_at, updated_at)
SELECT gen_random_uuid(), p, %(now)s - h * interval '1 hour', 100000 + (720 - h) * 5, %(now)s, %(now)s
FROM unnest(ARRAY['instagram', 'x', 'tiktok', 'facebook']) p, generate_series(0, 719) h
"""


def bench_brand(*, reload: bool, count: int, corpus: str) -> tuple[Brand, object]:
    call_command("migrate_schemas", interactive=False, verbosity=0)
    slug = SLUG if corpus == "varied" else f"{SLUG}-{corpus}"
    brand = Brand.objects.filter(slug=slug).first() or brand_create(
        agency=None, slug=slug, name="Bench detect"
    )
    with tenant_context(brand), connection.cursor() as cursor:
        cursor.execute("SELECT count(*), max(received_at) FROM incidents_mention")
        existing, loaded_at = cursor.fetchone()
        if reload or existing != count + 40:
            cursor.execute("TRUNCATE incidents_mention, incidents_metricsample, incidents_alert CASCADE")
            cursor.execute("SELECT now()")
            loaded_at = cursor.fetchone()[0]
            started = time.perf_counter()
            load = _LOAD.replace("{text}", VARIED_TEXT if corpus == "varied" else REPETITIVE_TEXT)
            cursor.execute(load, {"now": loaded_at, "count": count, "words": WORDS, "nwords": len(WORDS)})
            cursor.execute(_RUMOUR, {"now": loaded_at})
            cursor.execute(_METRICS, {"now": loaded_at})
            print(f"loaded {count:,} mentions in {time.perf_counter() - started:.1f}s", flush=True)
            # Index-only scans need the visibility map; autovacuum would get there later.
            cursor.execute("VACUUM ANALYZE incidents_mention")
            cursor.execute("VACUUM ANALYZE incidents_metricsample")
    connection.set_schema_to_public()
    return brand, loaded_at


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--reload", action="store_true", help="reload the mentions even if present")
    parser.add_argument(
        "--corpus",
        choices=["varied", "repetitive"],
        default="varied",
        help="varied chatter (default) or a worst case of stock phrases for the rumour detector",
    )
    parser.add_argument("--drop", action="store_true", help="drop the bench brands and exit")
    args = parser.parse_args()
    if args.drop:
        brands = list(Brand.objects.filter(slug__in=[SLUG, f"{SLUG}-repetitive"]))
        for brand in brands:
            brand.delete(force_drop=True)
        print(f"dropped {len(brands)} bench brand(s)")
        return 0

    from incidents.detectors import DETECTORS
    from incidents.selectors_early_warning import detector_settings_get
    from incidents.services.alerts import detectors_sweep

    brand, loaded_at = bench_brand(reload=args.reload, count=args.count, corpus=args.corpus)
    # Sweep just after the newest mention, as a sweep right after an intake would.
    now = loaded_at + timedelta(seconds=1)
    with tenant_context(brand):
        detectors_sweep(now=now)  # warm-up: imports, lexicon-free MinHash setup, plan cache
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            outcomes = detectors_sweep(now=now)
            timings.append((time.perf_counter() - started) * 1000)
        settings = detector_settings_get()
        per_detector = {}
        for detect in DETECTORS:
            started = time.perf_counter()
            found = detect(settings=settings, now=now)
            per_detector[detect.__name__] = ((time.perf_counter() - started) * 1000, len(found))
    connection.set_schema_to_public()
    print(f"brand {brand.slug}: {args.count + 40:,} mentions over 30 days ({args.corpus} texts)")
    for name, (ms, found) in per_detector.items():
        print(f"  {name:32s} {ms:7.1f} ms  ({found} finding(s))")
    print(
        f"sweep (all detectors + alert upserts), {args.runs} runs: median {statistics.median(timings):.1f} ms, "
        f"min {min(timings):.1f} ms, max {max(timings):.1f} ms; outcomes {[o for _, o in outcomes]}"
    )
    print(f"target < 200 ms: {'met' if statistics.median(timings) < 200 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
