"""A real Celery worker process for the tests whose behaviour is the queue, and a committed-data
fixture it can see (a worker never sees a test's uncommitted transaction)."""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context

ROOT = Path(__file__).resolve().parent.parent
WORKER_START_TIMEOUT = 60
WORKER_THREADS = 4  # the test worker's thread pool


def database_url_for_subprocess() -> str:
    s = connection.settings_dict
    host = quote(s.get("HOST") or "", safe="")
    port = f":{s['PORT']}" if s.get("PORT") else ""
    password = f":{quote(s['PASSWORD'], safe='')}" if s.get("PASSWORD") else ""
    return f"postgres://{s['USER']}{password}@{host}{port}/{s['NAME']}"


def subprocess_env() -> dict:
    """Environment for a process that must share this test process's database and broker."""
    env = os.environ.copy()
    env["DATABASE_URL"] = database_url_for_subprocess()
    env["CELERY_BROKER_FOLDER"] = settings.CELERY_BROKER_FOLDER
    env.setdefault("DEBUG", "1")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _die_with_parent() -> None:
    """Linux: the child gets SIGTERM if the test process dies, so no worker outlives its run."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.1, message: str = "condition"):
    """Poll until `predicate()` is truthy and return its value; fail the test on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"Timed out after {timeout}s waiting for {message}")


def truncate_brand_tables(*schema_names: str) -> bool:
    """Empty every table of the given brand schemas (truncating those that hold rows). A Celery worker may still be finishing a task
    that writes to them (a rollup trigger, a late retry): TRUNCATE takes its locks table by table,
    so the two can deadlock, and PostgreSQL then cancels one of them. The truncation is retried
    until it goes through; failing silently would leave rows that break later tests. Returns
    whether any table held a row."""
    from django.db import OperationalError, transaction

    assert connection.settings_dict["NAME"].startswith("test_"), "refusing to empty a real database"
    emptied = False
    with connection.cursor() as cursor:
        for schema in schema_names:
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> 'django_migrations'",
                [schema],
            )
            tables = [f'"{schema}"."{row[0]}"' for row in cursor.fetchall()]
            if not tables:
                continue
            for attempt in range(10):
                try:
                    with transaction.atomic():
                        # Only the tables that hold a row (CASCADE takes those that point at
                        # them): truncating all ~100 tables of a schema cost PostgreSQL a new file
                        # and catalog rows per table after every committed-data test.
                        cursor.execute(
                            " UNION ALL ".join(
                                f"SELECT '{table}' WHERE EXISTS (SELECT 1 FROM {table})" for table in tables
                            )
                        )
                        filled = [row[0] for row in cursor.fetchall()]
                        if filled:
                            cursor.execute(f"TRUNCATE {', '.join(filled)} CASCADE")
                            emptied = True
                    break
                except OperationalError:
                    if attempt == 9:
                        raise
                    time.sleep(0.2 * (attempt + 1))
    return emptied


def _worker_caught_up(timeout: float = 30) -> None:
    """Wait until the worker has taken every message queued before now: a ping on every queue
    (each queue is first in, first out), all answered. A task the test left queued (a scoring
    request its rows no longer need) would otherwise run in the next test, on that test's rows;
    one still running when the pings come back is waited for by the settling below."""
    from tenants.models import WorkerPing
    from tenants.tasks import worker_ping_task

    tokens = {queue: f"caught-up-{uuid.uuid4().hex}" for queue in settings.TASK_QUEUES}
    for queue, token in tokens.items():
        worker_ping_task.apply_async(args=[token], queue=queue)
    wait_for(
        lambda: WorkerPing.objects.filter(token__in=tokens.values()).count() == len(tokens),
        timeout=timeout,
        interval=0.05,
        message="the worker to take every message queued by the test",
    )
    WorkerPing.objects.filter(token__in=tokens.values()).delete()


# After a test with a worker, how long its late writes are waited for, and how often.
SETTLE_SECONDS = 0.3
SETTLE_ROUNDS = 5


@pytest.fixture
def committed_db(request, django_db_setup, django_db_blocker):
    """Database access without the per-test transaction, so a worker sees the test's writes.
    Brand A's and B's tables are emptied afterwards (the public cast is kept). With a worker, a
    task that read the brand's rows before the truncation may still write after it (a detector
    sweep in flight raises its alert again): the tables are checked again until they stay empty,
    so no row outlives the test that caused it."""
    from tests.helpers import BRAND_A, BRAND_B

    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        yield
        connection.set_schema_to_public()
        from tenants.services import brand_schema_name

        schemas = (brand_schema_name(BRAND_A), brand_schema_name(BRAND_B))
        try:
            if "celery_worker" in request.fixturenames:
                _worker_caught_up()
        finally:  # a worker that fell behind fails this test, never the next one's rows
            truncate_brand_tables(*schemas)
        if "celery_worker" in request.fixturenames:
            for _ in range(SETTLE_ROUNDS):
                time.sleep(SETTLE_SECONDS)
                if not truncate_brand_tables(*schemas):
                    break


@pytest.fixture
def committed_brand_a(committed_db):
    from tenants.models import Brand
    from tests.helpers import BRAND_A

    brand = Brand.objects.get(slug=BRAND_A)
    with tenant_context(brand):
        yield brand
    connection.set_schema_to_public()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, tmp_path_factory):
    """Start `celery -A platform worker` on this test database and broker; stop it at the end.
    Returns the log file path, which a failing test can read."""
    from platform.celery import app
    from tenants.models import WorkerPing
    from tenants.tasks import worker_ping_task

    log = tmp_path_factory.mktemp("celery") / "worker.log"
    # Messages left by an earlier run (or by committed tests before this worker existed) refer to
    # rows that are gone; start from an empty queue.
    shutil.rmtree(settings.CELERY_BROKER_FOLDER, ignore_errors=True)
    os.makedirs(settings.CELERY_BROKER_FOLDER, exist_ok=True)
    with django_db_blocker.unblock():
        env = subprocess_env()
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "platform",
            "worker",
            "--pool",
            "threads",
            "--concurrency",
            str(WORKER_THREADS),
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--hostname",
            f"test-{uuid.uuid4().hex[:6]}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
    )
    app.conf.broker_transport_options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
    token = uuid.uuid4().hex
    with django_db_blocker.unblock():
        worker_ping_task.delay(token)

        def answered():
            if proc.poll() is not None:
                pytest.fail(f"Celery worker exited early:\n{log.read_text()[-3000:]}")
            return WorkerPing.objects.filter(token=token).exists()

        wait_for(answered, timeout=WORKER_START_TIMEOUT, interval=0.2, message="the Celery worker to start")
    yield log
    # Every test has waited for its own work, so the session's end needs no warm shutdown (which
    # waited seconds for the pool's threads): SIGQUIT stops the worker at once.
    proc.send_signal(signal.SIGQUIT)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
