"""The publishing sweep under load: N brands × M variants all due in the same minute, each brand
with a signed-webhook channel to a local sink (a threaded HTTP server that counts deliveries by
webhook-id). Times the sweep (hold check, claim, one attempt per claim on a pool of threads, as
worker threads would run them) until every variant is handed to its channel, checks 0 lost and
0 duplicated, and prints the ratio to a bare loop that only marks the same rows published
(target ≤ 3×).

    .venv/bin/python bench/publish.py [--brands 100] [--per-brand 100] [--threads 8]

Uses the configured database (DATABASE_URL, or the embedded one), in brands of its own
("pubbench-001"…, created if missing); their content tables are emptied first."""

import argparse
import logging
import os
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from tenants.models import Brand  # noqa: E402
from tenants.services import brand_create, template_brand_ensure  # noqa: E402

settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
logging.getLogger("content").setLevel(logging.WARNING)  # one INFO line per attempt would dominate


class Sink:
    def __init__(self):
        self.counts: Counter = Counter()
        self.lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with sink.lock:
                    sink.counts[self.headers.get("webhook-id")] += 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/publish"


def ensure_brands(n: int) -> list[Brand]:
    connection.set_schema_to_public()
    call_command("migrate_schemas", interactive=False, verbosity=0)
    template_brand_ensure()
    brands = []
    for i in range(1, n + 1):
        slug = f"pubbench-{i:03d}"
        brand = Brand.objects.filter(slug=slug).first() or brand_create(
            agency=None, slug=slug, name=f"Publish bench {i}", default_language="en"
        )
        brands.append(brand)
        connection.set_schema_to_public()
    return brands


def seed(brand: Brand, per_brand: int, sink_url: str) -> None:
    from content.models import Channel, ContentItem, HistoryEntry, Variant
    from content.services import channel_create

    with tenant_context(brand):
        HistoryEntry.objects.all().delete()
        Variant.objects.all().delete()
        ContentItem.objects.all().delete()
        Channel.objects.all().delete()
        channel, _ = channel_create(
            actor=None, name="sink", kind="webhook", platforms=["x"], webhook_url=sink_url
        )
        due = timezone.now() - timedelta(seconds=30)
        items = ContentItem.objects.bulk_create(
            [
                ContentItem(
                    kind="tip",
                    title=f"Tip {n}",
                    master_text=f"Tip {n} #kopi",
                    language="en",
                    status="approved",
                )
                for n in range(per_brand)
            ]
        )
        Variant.objects.bulk_create(
            [
                Variant(
                    item=item,
                    platform="x",
                    text=item.master_text,
                    status="scheduled",
                    scheduled_at=due,
                    channel=channel,
                )
                for item in items
            ]
        )


def sweep_brand(brand: Brand, pool: ThreadPoolExecutor) -> int:
    """What content.publish_due does in one brand, with the attempts run on the pool."""
    from content.services import crisis_hold_sweep, publish_due_claim, variant_publish_attempt

    def attempt(pk, n):
        # Each pool thread keeps its own connection across attempts, as a worker thread does.
        with tenant_context(brand):
            return variant_publish_attempt(variant_id=pk, attempt=n)

    with tenant_context(brand):
        hold = crisis_hold_sweep()
        claimed = publish_due_claim(holding=hold["holding"], limit=100_000)
    return sum(1 for outcome in pool.map(lambda c: attempt(*c), claimed) if outcome == "handed_off")


def bare_loop(brand: Brand) -> int:
    from content.models import Variant

    with tenant_context(brand):
        ids = list(Variant.objects.filter(status="scheduled").values_list("pk", flat=True))
        for pk in ids:
            Variant.objects.filter(pk=pk, status="scheduled").update(
                status="published", published_at=timezone.now()
            )
    return len(ids)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--brands", type=int, default=100)
    parser.add_argument("--per-brand", type=int, default=100)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    total = args.brands * args.per_brand
    sink = Sink()
    print(f"preparing {args.brands} brands…", flush=True)
    brands = ensure_brands(args.brands)

    for brand in brands:
        seed(brand, args.per_brand, sink.url)
    start = time.perf_counter()
    with ThreadPoolExecutor(args.threads) as pool:
        handed = sum(sweep_brand(brand, pool) for brand in brands)
    sweep_seconds = time.perf_counter() - start

    for brand in brands:
        seed(brand, args.per_brand, sink.url)
    start = time.perf_counter()
    marked = sum(bare_loop(brand) for brand in brands)
    bare_seconds = time.perf_counter() - start

    lost = total - len(sink.counts)
    duplicated = sum(n - 1 for n in sink.counts.values() if n > 1)
    print(f"variants due:         {total}")
    print(
        f"sweep handed off:     {handed} in {sweep_seconds:.2f} s ({total / sweep_seconds:.0f}/s, {args.threads} threads)"
    )
    print(f"bare loop marked:     {marked} in {bare_seconds:.2f} s ({total / bare_seconds:.0f}/s)")
    print(f"lost: {lost}   duplicated: {duplicated}")
    print(f"ratio sweep / bare:   {sweep_seconds / bare_seconds:.2f}×  (target ≤ 3×)")
    if lost or duplicated or handed != total:
        sys.exit(1)


if __name__ == "__main__":
    main()
