"""From intake to detection: 200,000 mentions posted through the API of a real gunicorn (DEBUG
off) with real Celery workers scoring them, until every one is scored and a planted negative spike
has raised its alert; against a bare COPY of the same rows, in one run.

    .venv/bin/python bench/pipeline.py [--count 200000] [--batch 5000] [--clients 2] [--workers 2]

Starts a private redis-server as the broker, gunicorn and `--workers` Celery workers (one process
each, queues `scoring` and `celery`) on the configured database, provisions (or reuses and empties)
the brand `bench-pipeline`, and revokes its API key at the end. The last request holds the spike:
`--spike` clearly negative mentions posted in the last half hour, on top of a month of ordinary
traffic. Targets: end to end ≥ 0.15 of the bare COPY's rate, the API write alone ≥ 0.25. The COPY
goes into a bare table of the same columns (no indexes or constraints) in the brand's schema.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from private_redis import start_redis  # noqa: E402

_redis_dir = tempfile.mkdtemp(prefix="tanggap-bench-pipeline-")
_redis, BROKER_URL = start_redis(_redis_dir)
os.environ["CELERY_BROKER_URL"] = BROKER_URL

import ingest  # noqa: E402  (sets Django up, with the broker above)
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from tenants.models import Brand  # noqa: E402
from tenants.services import api_key_create, api_key_revoke, brand_create  # noqa: E402

SLUG = "bench-pipeline"
SPIKE_TEXTS = [
    "kecewa banget pesanan belum sampai, pelayanan parah",
    "terrible service, my order never arrived and nobody answers",
    "refund gak cair cair, penipuan ini, kecewa berat",
    "worst app ever, it crashed again and charged me twice",
    "pelayanan buruk sekali, kasir jutek dan lama banget",
]


def spike_rows(count: int, run: str) -> list[dict]:
    rng = random.Random(7)
    now = datetime.now(UTC)
    return [
        {
            "platform": "x",
            "external_id": f"{run}-spike-{i}",
            "kind": "post",
            "author_handle": f"@angry{i}",
            "author_name": f"Angry {i}",
            "text": f"{rng.choice(SPIKE_TEXTS)} #{i}",
            "url": f"https://example.com/s/{run}-{i}",
            "posted_at": (now - timedelta(seconds=rng.randrange(1800))).isoformat(),
            "parent_external_id": "",
            "reach": rng.randrange(10_000),
            "engagement": rng.randrange(500),
        }
        for i in range(count)
    ]


def start_workers(count: int) -> list[subprocess.Popen]:
    env = os.environ.copy()
    env.update(
        DATABASE_URL=ingest.database_url(),
        CELERY_BROKER_URL=BROKER_URL,
        DEBUG="0",
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS=f".{settings.BASE_DOMAIN}",
    )
    return [
        subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "platform",
                "worker",
                "--pool",
                "solo",
                "-Q",
                "scoring,celery",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--loglevel",
                "WARNING",
                "-n",
                f"pipeline-{n}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=(Path(_redis_dir) / f"worker{n}.log").open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        for n in range(count)
    ]


def wait_workers(count: int) -> None:
    from platform.celery import app

    deadline = time.monotonic() + 120
    while len(app.control.ping(timeout=1.0) or []) < count:
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not start")


def done(brand: Brand) -> tuple[int, bool]:
    """(unscored mentions, whether the negative-spike alert is raised)."""
    with tenant_context(brand), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_mention WHERE scored_at IS NULL")
        unscored = cursor.fetchone()[0]
        cursor.execute("SELECT EXISTS (SELECT 1 FROM incidents_alert WHERE detector = 'negative_spike')")
        alerted = cursor.fetchone()[0]
    return unscored, alerted


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--spike", type=int, default=1_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--gunicorn", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()

    proc = key_row = None
    workers: list[subprocess.Popen] = []
    try:
        brand = Brand.objects.filter(slug=SLUG).first() or brand_create(agency=None, slug=SLUG, name="Bench")
        with tenant_context(brand), connection.cursor() as cursor:
            cursor.execute("TRUNCATE incidents_mention, incidents_alert CASCADE")
            # A run that was stopped may leave a sweep marked as queued whose message died with
            # its workers; in production the periodic tick covers it, here nothing would.
            cursor.execute("DELETE FROM incidents_sweeprequest")
        connection.set_schema_to_public()
        key_row, key = api_key_create(brand=brand, name="bench/pipeline.py")
        port = ingest.free_port()
        url = f"http://127.0.0.1:{port}"
        proc = ingest.start_server(port, _redis_dir + "/unused", args.gunicorn)
        workers = start_workers(args.workers)
        ingest.wait_up(url, brand.primary_host, proc)
        wait_workers(args.workers)

        run = f"p{int(time.time())}"
        rows = ingest.make_rows(args.count - args.spike, run) + spike_rows(args.spike, run)
        bodies = [json.dumps(rows[i : i + args.batch]).encode() for i in range(0, len(rows), args.batch)]
        started = time.perf_counter()
        api_elapsed, created, _ = ingest.post_all(url, brand.primary_host, key, bodies, args.clients)
        deadline = time.monotonic() + args.timeout
        while True:
            unscored, alerted = done(brand)
            if not unscored and alerted:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"timed out: {unscored:,} unscored, spike alert raised: {alerted}")
            time.sleep(0.1)
        total = time.perf_counter() - started
        # The fastest of three: one COPY can land on a checkpoint or autovacuum of the 200,000 rows
        # just scored, which would flatter the ratios.
        copy_elapsed = min(ingest.copy_rows(brand.schema_name, rows, indexes="none") for _ in range(3))

        api_rate, e2e_rate, copy_rate = (
            args.count / api_elapsed,
            args.count / total,
            args.count / copy_elapsed,
        )
        print(
            f"API write: {args.count:,} mentions ({created:,} created) in {len(bodies)} requests, "
            f"{args.clients} clients, {args.gunicorn} gunicorn workers: {api_elapsed:.1f} s = {api_rate:,.0f}/s"
        )
        print(
            f"end to end (posted, all scored by {args.workers} workers, spike alert raised): "
            f"{total:.1f} s = {e2e_rate:,.0f}/s; scoring finished {total - api_elapsed:.1f} s after the last response"
        )
        print(f"bare COPY of the same rows (fastest of 3): {copy_elapsed:.1f} s = {copy_rate:,.0f}/s")
        print(f"ratio API/bare COPY: {api_rate / copy_rate:.2f} (target ≥ 0.25)")
        print(f"ratio end to end/bare COPY: {e2e_rate / copy_rate:.2f} (target ≥ 0.15)")
        return 0
    finally:
        for p in [proc, *workers]:
            if p is not None:
                p.terminate()
        for p in [proc, *workers]:
            if p is not None:
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
        if key_row is not None:
            api_key_revoke(key_id=key_row.pk)
        _redis.terminate()
        shutil.rmtree(_redis_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
