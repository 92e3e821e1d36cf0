"""Survey submissions per second through gunicorn, against a bare Django view doing one INSERT on
the same server in the same run; prints both rates, their ratio (target ≥ 0.7) and checks that no
submission was lost (every 302 has its stored response, and the rows add up).

    .venv/bin/python bench/survey_submit.py [--total 2000] [--concurrency 16] [--workers 2] [--threads 8]

Uses the configured database (DATABASE_URL, or the embedded one), in a brand of its own
("surveybench", created if missing); its survey data and the baseline table are emptied first."""

import argparse
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from queue import Empty, Queue

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from tenants.models import Brand  # noqa: E402
from tenants.services import brand_create, brand_schema_name  # noqa: E402

SLUG = "surveybench"
KINDS = [
    {"kind": "csat", "text_en": "How satisfied are you?"},
    {"kind": "nps", "text_en": "Would you recommend us?"},
    {"kind": "single_choice", "text_en": "Was it resolved?", "options": [("Yes", "Ya"), ("No", "Tidak")]},
    {"kind": "long_text", "text_en": "Tell us more", "required": False},
    {"kind": "consent", "text_en": "May we quote you?", "required": False},
]


def _tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def ensure_brand() -> Brand:
    connection.set_schema_to_public()
    if "tenants_brand" not in _tables("public"):
        print("migrating the database (first run)…", flush=True)
        call_command("migrate_schemas", interactive=False, verbosity=0)
    brand = Brand.objects.filter(slug=SLUG).first()
    if brand is None:
        brand = brand_create(agency=None, slug=SLUG, name="Survey bench", default_language="en")
    # Cheap when current; a brand made before a new migration needs it.
    call_command("migrate_schemas", schema_name=brand_schema_name(SLUG), interactive=False, verbosity=0)
    connection.set_schema_to_public()
    return brand


def prepare(brand: Brand, count: int):
    """A fresh open survey with `count` invitations; returns (tokens, form data without CSRF)."""
    from surveys.forms import field_name
    from surveys.models import Answer, Invitation, InvitationLink, Response, Survey, TestimonialCandidate
    from surveys.services import invitation_create_batch, survey_create, survey_open

    with tenant_context(brand):
        for model in (TestimonialCandidate, Answer, Response, InvitationLink, Invitation):
            model.objects.all().delete()
        Survey.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS bench_bare_hit (id bigserial PRIMARY KEY, "
                "created_at timestamptz NOT NULL DEFAULT now(), note text NOT NULL)"
            )
            cursor.execute("TRUNCATE bench_bare_hit")
        survey = survey_open(survey_id=survey_create(title_en="Bench", questions=KINDS).pk)
        tokens = []
        for start in range(0, count, 1000):
            batch = [{"email": f"r{i}@bench.example"} for i in range(start, min(count, start + 1000))]
            tokens += [
                raw
                for _inv, raw in invitation_create_batch(
                    survey_id=survey.pk, recipients=batch, send_email=False
                )
            ]
        q = {x.kind: x for x in survey.questions.prefetch_related("options")}
        data = {
            field_name(q["csat"]): "4",
            field_name(q["nps"]): "9",
            field_name(q["single_choice"]): str(q["single_choice"].options.first().pk),
            field_name(q["long_text"]): "Quick and friendly.",
            field_name(q["consent"]): "no",
            # The page's hidden fields: the survey and questions version it shows, and its language.
            "s": str(survey.pk),
            "v": str(Survey.objects.get(pk=survey.pk).questions_version),
            "l": "en",
        }
    connection.set_schema_to_public()
    return survey.pk, tokens, data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int, threads: int, prepare_threshold: int | None) -> subprocess.Popen:
    env = os.environ.copy()
    if prepare_threshold is not None:
        env["BENCH_PREPARE_THRESHOLD"] = str(prepare_threshold)
    # Production settings (DEBUG off) for both views; the key only signs this run's CSRF cookies.
    env.update(
        DJANGO_SETTINGS_MODULE="bench.survey_bench_settings",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(32),
    )
    # `python -m gunicorn` puts the project root first on sys.path, so `platform` is the project's.
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "platform.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(threads),
            "--log-level",
            "warning",
            "--keep-alive",
            "30",
        ],
        cwd=ROOT,
        env=env,
    )


def wait_up(base: str, host: str, token: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("gunicorn exited while starting")
        try:
            if requests.get(f"{base}/s/{token}/", headers={"Host": host}, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    sys.exit("gunicorn did not start in time")


def csrf_for(session: requests.Session, base: str, host: str, token: str) -> str:
    """A CSRF cookie and form token, from one GET of a survey page (reusable for every POST)."""
    page = session.get(f"{base}/s/{token}/", headers={"Host": host}, timeout=10)
    page.raise_for_status()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def run(label: str, jobs: Queue, concurrency: int, send) -> tuple[float, Counter]:
    statuses: Counter = Counter()
    lock = threading.Lock()
    ready = threading.Barrier(concurrency + 1)

    def worker():
        session = requests.Session()
        state = {}
        try:
            send(session, None, state)  # per-thread setup (cookie), not timed
        finally:
            ready.wait()
        while True:
            try:
                job = jobs.get_nowait()
            except Empty:
                return
            try:
                code = send(session, job, state)
            except requests.RequestException as exc:
                code = type(exc).__name__
            with lock:
                statuses[code] += 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    ready.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    total = sum(statuses.values())
    print(
        f"{label:>22}: {total / elapsed:8.1f} req/s  ({total} in {elapsed:.2f} s, statuses {dict(statuses)})"
    )
    return total / elapsed, statuses


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--total", type=int, default=2000, help="submissions (and bare requests) to send")
    parser.add_argument("--concurrency", type=int, default=16, help="client threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument(
        "--prepare-threshold",
        type=int,
        default=None,
        help="allow prepared statements on the server's DB connections (psycopg prepare_threshold)",
    )
    parser.add_argument(
        "--rounds", type=int, default=4, help="alternating rounds of bare and survey requests"
    )
    args = parser.parse_args()

    brand = ensure_brand()
    host = f"{SLUG}.{settings.BASE_DOMAIN}"
    warmup = max(args.concurrency * 4, 50)
    survey_id, tokens, form = prepare(brand, args.total + warmup + 1)
    csrf_page_token, warm_tokens, tokens = tokens[0], tokens[1 : warmup + 1], tokens[warmup + 1 :]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_gunicorn(port, args.workers, args.threads, args.prepare_threshold)
    try:
        wait_up(base, host, csrf_page_token, proc)

        def submit(session, token, state):
            if token is None:
                state["csrf"] = csrf_for(session, base, host, csrf_page_token)
                return None
            r = session.post(
                f"{base}/s/{token}/",
                data={**form, "csrfmiddlewaretoken": state["csrf"]},
                headers={"Host": host},
                allow_redirects=False,
                timeout=30,
            )
            return r.status_code

        def bare(session, note, state):
            if note is None:
                return None
            return session.post(
                f"{base}/s/bench/bare-insert/",
                data={"note": note},
                headers={"Host": host},
                allow_redirects=False,
                timeout=30,
            ).status_code

        def fill(items) -> Queue:
            q: Queue = Queue()
            for item in items:
                q.put(item)
            return q

        prepared = "off" if args.prepare_threshold is None else f"threshold {args.prepare_threshold}"
        print(
            f"gunicorn {args.workers} workers × {args.threads} threads, {args.concurrency} client threads, "
            f"{args.total} requests each, prepared statements {prepared}",
            flush=True,
        )
        run("warm-up", fill(warm_tokens), args.concurrency, submit)
        run("warm-up (bare)", fill(f"w{i}" for i in range(warmup)), args.concurrency, bare)
        # Alternate the two in rounds, so a change in the machine's load during the run (other
        # processes share it) weighs on both measurements alike.
        bare_time = survey_time = 0.0
        bare_statuses: Counter = Counter()
        survey_statuses: Counter = Counter()
        per_round = -(-args.total // args.rounds)
        for r in range(args.rounds):
            chunk = tokens[r * per_round : (r + 1) * per_round]
            notes = [f"n{r}-{i}" for i in range(len(chunk))]
            rate, statuses = run(f"bare INSERT view #{r + 1}", fill(notes), args.concurrency, bare)
            bare_time += len(chunk) / rate
            bare_statuses += statuses
            rate, statuses = run(f"survey submissions #{r + 1}", fill(chunk), args.concurrency, submit)
            survey_time += len(chunk) / rate
            survey_statuses += statuses
        bare_rate, survey_rate = args.total / bare_time, args.total / survey_time
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()

    from surveys.models import Response

    with tenant_context(brand):
        stored = Response.objects.filter(survey_id=survey_id).count()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM bench_bare_hit")
            bare_rows = cursor.fetchone()[0]
    accepted = survey_statuses.get(302, 0) + warmup
    lost = (args.total + warmup) - stored
    print(f"{'responses/s':>22}: {survey_rate:8.1f}")
    print(f"{'bare INSERT view/s':>22}: {bare_rate:8.1f}")
    print(f"{'ratio':>22}: {survey_rate / bare_rate:8.2f}  (target ≥ 0.70)")
    print(
        f"{'stored responses':>22}: {stored} of {args.total + warmup} sent, {accepted} accepted (302); "
        f"lost submissions: {lost}; bare rows {bare_rows} of {args.total + warmup}"
    )
    if lost or stored != accepted or bare_rows != args.total + warmup:
        sys.exit(1)


if __name__ == "__main__":
    main()
