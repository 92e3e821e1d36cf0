"""A thousand brands: provisioning cost per brand as the count grows, a no-op `migrate_schemas`
over all of them, and one beat fan-out tick handled by two workers on Redis, in one run.

    .venv/bin/python bench/brands.py [--count 1000] [--keep] [--same-connection]

Creates `--count` brands `bench-brand-N` by cloning the template (the way every brand is
provisioned), each on a new database connection as production does, reusing any left by an
earlier `--keep` run, and drops them at the end unless `--keep`. Beside the wall time per clone
it prints the database server process's CPU per clone (a local server), which leaves out the
catalogs' autovacuum. With `--same-connection` one connection creates them all (a pattern no
production path has). Targets: the last 50 brands cost about what the first 50 did (ratio near 1); the no-op
`migrate_schemas` (a fresh process, as a deploy runs it) under 60 s; the fan-out tick (beat's
`incidents.early_warning_tick`: chunks of FAN_OUT_BRANDS_PER_TASK brands, each brand scoring
leftovers and sweeping the detectors) drained by 2 single-process workers in under 10 s. Set
FAN_OUT_BRANDS_PER_TASK=1 to time the old one-message-per-brand fan-out against it.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import mean, median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from private_redis import start_redis  # noqa: E402

# The broker must be chosen before Django loads the settings: a private Redis for this run.
_redis_dir = tempfile.mkdtemp(prefix="tanggap-bench-brands-")
_redis, BROKER_URL = start_redis(_redis_dir)
os.environ["CELERY_BROKER_URL"] = BROKER_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from tenants.models import Brand  # noqa: E402
from tenants.services import brand_create, template_brand_ensure  # noqa: E402

PREFIX = "bench-brand-"


def database_url() -> str:
    from urllib.parse import quote

    s = connection.settings_dict
    host = quote(s.get("HOST") or "", safe="")
    port = f":{s['PORT']}" if s.get("PORT") else ""
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{host}{port}/{s['NAME']}"


def child_env() -> dict:
    env = os.environ.copy()
    env.update(
        DATABASE_URL=database_url(),
        CELERY_BROKER_URL=BROKER_URL,
        DEBUG="0",  # production settings: no query log
        SECRET_KEY=settings.SECRET_KEY,
        ALLOWED_HOSTS=f".{settings.BASE_DOMAIN}",
        PYTHONUNBUFFERED="1",
    )
    return env


def _server_cpu() -> float | None:
    """CPU seconds used so far by this connection's database server process, when the server runs
    on this machine (the embedded one does): unlike wall time, it leaves out the catalogs'
    autovacuum, which on 2 cores competes with the clones more as the catalogs grow."""
    with connection.cursor():
        pass
    try:
        fields = (
            Path(f"/proc/{connection.connection.info.backend_pid}/stat").read_text().rsplit(")", 1)[1].split()
        )
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def provision(count: int, *, same_connection: bool = False) -> list[tuple[float, float | None]]:
    """Create the missing brands; for each, in order, the seconds it took and its database server
    process's CPU seconds (None when the server is elsewhere). Each brand is created on a new
    connection, as in production: a web process's connection lives at most DB_CONN_MAX_AGE (60 s)
    and `create_brand` is a process of its own. With `same_connection` one connection creates them
    all, whose server process then holds every brand's tables in its caches."""
    existing = set(Brand.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True))
    times = []
    for i in range(count):
        slug = f"{PREFIX}{i}"
        if slug in existing:
            continue
        if not same_connection:
            connection.close()
        cpu, started = _server_cpu(), time.perf_counter()
        brand_create(agency=None, slug=slug, name=f"Bench brand {i}")
        elapsed, cpu_after = time.perf_counter() - started, _server_cpu()
        times.append((elapsed, None if cpu is None or cpu_after is None else cpu_after - cpu))
        if len(times) % 100 == 0:
            print(f"  … {len(times)} brands created, last one {elapsed:.2f} s", flush=True)
    return times


def noop_migrate() -> float:
    started = time.perf_counter()
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "migrate_schemas", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=child_env(),
        check=True,
    )
    return time.perf_counter() - started


def noop_migrate_in_process() -> float:
    """The same command without the fresh process's start-up (Django setup and imports)."""
    started = time.perf_counter()
    call_command("migrate_schemas", interactive=False, verbosity=0)
    return time.perf_counter() - started


def migrate_one_by_one(schemas: list[str]) -> float:
    """Seconds per schema of what django-tenants does for every schema when nothing is skipped:
    Django's `migrate` with the connection in that schema (the cost before the skip)."""
    started = time.perf_counter()
    for schema in schemas:
        connection.set_schema(schema)
        call_command("migrate", interactive=False, verbosity=0)
    connection.set_schema_to_public()
    return (time.perf_counter() - started) / len(schemas)


WORKER_QUEUES = ("periodic", "scoring")


def _pending(client: redis.Redis) -> int:
    """Messages waiting in the queues the bench's workers take (with kombu's per-priority lists,
    named queue + separator + priority) and those they hold unacknowledged. A brand's run may also
    queue work for other queues (a notification email of an alert's escalation); in production
    other workers take it, and it is not part of the tick."""
    queued = sum(
        client.llen(key)
        for key in client.scan_iter()
        if client.type(key) == b"list" and key.split(b"\x06\x16")[0].decode() in WORKER_QUEUES
    )
    return queued + client.hlen("unacked")


def fan_out_tick(workers: int) -> float:
    """Seconds from sending beat's tick until both workers have drained every brand's task."""
    from platform.celery import app

    logs = Path(_redis_dir)
    procs = [
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
                ",".join(WORKER_QUEUES),
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "--loglevel",
                "WARNING",
                "-n",
                f"bench-{n}@%h",
            ],
            cwd=ROOT,
            env=child_env(),
            stdout=(logs / f"worker{n}.log").open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        for n in range(workers)
    ]
    client = redis.Redis.from_url(BROKER_URL)
    try:
        # Both workers are up when each has answered a ping.
        deadline = time.monotonic() + 120
        while len(app.control.ping(timeout=1.0) or []) < workers:
            if time.monotonic() > deadline:
                raise SystemExit("the workers did not start")
        connection.set_schema_to_public()
        started = time.perf_counter()
        app.send_task("incidents.early_warning_tick", headers={"_schema_name": "public"})
        time.sleep(0.2)
        while _pending(client):
            time.sleep(0.05)
        return time.perf_counter() - started
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the brands for another run")
    parser.add_argument(
        "--same-connection",
        action="store_true",
        help="create every brand on one database connection (not how production provisions)",
    )
    args = parser.parse_args()
    try:
        call_command("migrate_schemas", "--shared", interactive=False, verbosity=0)
        template_brand_ensure()
        clones = provision(args.count, same_connection=args.same_connection)
        walls = [wall for wall, _ in clones]
        if len(walls) >= 100:
            first, last = mean(walls[:50]), mean(walls[-50:])
            how = "one connection for all" if args.same_connection else "a new connection per brand"
            print(
                f"provisioning ({how}): {len(walls)} brands, first 50 {first:.3f} s/brand, last 50 {last:.3f} s/brand; "
                f"ratio last/first {last / first:.2f} (flat ≈ 1); medians {median(walls[:50]):.3f} and "
                f"{median(walls[-50:]):.3f} s, ratio {median(walls[-50:]) / median(walls[:50]):.2f}"
            )
            cpus = [cpu for _, cpu in clones]
            if None not in cpus:
                cpu_first, cpu_last = median(cpus[:50]), median(cpus[-50:])
                print(
                    f"  database server CPU per clone (median): first 50 {cpu_first * 1000:.0f} ms, "
                    f"last 50 {cpu_last * 1000:.0f} ms, ratio {cpu_last / cpu_first:.2f}"
                )
        elif walls:
            print(f"provisioning: {len(walls)} brands, {mean(walls):.3f} s/brand")
        ready = Brand.objects.ready().count()
        seconds = noop_migrate()
        print(
            f"no-op migrate_schemas over {ready} ready brands (+ template, public): {seconds:.1f} s "
            f"= {seconds / ready * 1000:.1f} ms/brand (target < 60 s: {'met' if seconds < 60 else 'NOT met'})"
        )
        in_process = noop_migrate_in_process()
        sample = list(Brand.objects.ready().order_by("slug").values_list("schema_name", flat=True)[:10])
        per_schema = migrate_one_by_one(sample)
        print(
            f"  of which in-process (no start-up): {in_process:.1f} s; without the skip each schema costs "
            f"{per_schema * 1000:.0f} ms (10 sampled), i.e. {per_schema * ready:.0f} s for {ready} brands"
        )
        seconds = fan_out_tick(args.workers)
        print(
            f"fan-out tick over {ready} brands, {args.workers} workers: {seconds:.1f} s "
            f"(target < 10 s: {'met' if seconds < 10 else 'NOT met'})"
        )
    finally:
        if not args.keep:
            connection.set_schema_to_public()
            brands = list(Brand.objects.filter(slug__startswith=PREFIX))
            print(f"dropping {len(brands)} bench brands", flush=True)
            for brand in brands:
                brand.delete(force_drop=True)
        _redis.terminate()
        _redis.wait(timeout=20)
        shutil.rmtree(_redis_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
