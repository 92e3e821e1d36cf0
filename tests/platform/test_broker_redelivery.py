"""With acks_late, the task of a SIGKILLed worker is redelivered promptly and runs in its brand: on
a private redis-server with a short visibility timeout, and on a private vhost of the machine's
RabbitMQ; routing by kind holds on RabbitMQ. Skipped (with the reason) where a broker is missing."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest
from django_tenants.utils import schema_context

from tests.platform.test_production_brokers import BROKERS, _reachable
from tests.worker import ROOT, _die_with_parent, subprocess_env, wait_for


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of our own on a free port (never the machine's shared one)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(  # noqa: S603
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path),
        ],
        stdout=(tmp_path / "redis.log").open("w"),
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
    )
    try:
        wait_for(lambda: _reachable("127.0.0.1", port), timeout=20, message="the private redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture
def rabbitmq_vhost():
    """A vhost of our own on the machine's RabbitMQ, removed afterwards, so no queue collides."""
    host, port, _ = BROKERS["rabbitmq"]
    if not _reachable(host, port):
        pytest.skip(f"rabbitmq is not running on {host}:{port}")
    ctl = shutil.which("rabbitmqctl")
    if ctl is None:
        pytest.skip("rabbitmqctl is not available to create a private vhost")
    vhost = f"tanggap-test-{uuid.uuid4().hex[:8]}"

    def run(*args):
        return subprocess.run([ctl, *args], capture_output=True, text=True, timeout=60)  # noqa: S603

    if run("add_vhost", vhost).returncode:
        pytest.skip("rabbitmqctl cannot create a vhost here")
    try:
        run("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        yield f"amqp://guest:guest@{host}:{port}/{vhost}"
    finally:
        run("delete_vhost", vhost)


def _start_worker(env: dict, log, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "platform",
            "worker",
            "--pool",
            "solo",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
            "-n",
            f"killed-{uuid.uuid4().hex[:6]}@%h",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
    )


def _lock_waiters() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _killed_worker_task_runs_again(broker_url: str, committed_brand_a, tmp_path) -> None:
    """A worker takes a task and is SIGKILLed while the task is running (held on a row lock the
    test owns); a second worker must then get the same task and run it in the brand's schema."""
    import psycopg
    from django.db import connection

    from platform.celery import app
    from tenants.models import WorkerPing

    env = subprocess_env() | {"CELERY_BROKER_URL": broker_url, "CELERY_VISIBILITY_TIMEOUT": "3"}
    log = tmp_path / "workers.log"
    token = uuid.uuid4().hex
    s = connection.settings_dict
    blocker = psycopg.connect(dbname=s["NAME"], host=s["HOST"], user=s["USER"], port=s.get("PORT") or None)
    first = _start_worker(env, log)
    second = None
    try:
        # Uncommitted: the worker's insert of the same token waits on this row's unique index.
        blocker.execute(
            "INSERT INTO public.tenants_workerping (token, schema_name, seen_at) VALUES (%s, 'blocker', now())",
            [token],
        )
        with app.connection_for_write(broker_url) as conn:
            app.send_task("tenants.worker_ping", args=[token], connection=conn)
        wait_for(
            lambda: _lock_waiters() > 0,
            timeout=60,
            message=f"the worker to start the task:\n{log.read_text()[-2000:]}",
        )
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=20)
        blocker.rollback()
        # Redis hands an unacknowledged message out again once it is older than the visibility
        # timeout, when a consumer restores visible messages (at its start). Starting the second
        # worker before the timeout has passed would test the machine's speed, not redelivery.
        time.sleep(float(env["CELERY_VISIBILITY_TIMEOUT"]) + 1)
        second = _start_worker(env, log)
        with schema_context("public"):
            ping = wait_for(
                lambda: WorkerPing.objects.filter(token=token).first(),
                timeout=90,
                interval=0.5,
                message=f"the killed task to run again:\n{log.read_text()[-3000:]}",
            )
        assert ping.schema_name == committed_brand_a.schema_name
    finally:
        blocker.close()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=20)


@pytest.mark.worker
def test_redis_redelivers_the_task_of_a_killed_worker_after_the_visibility_timeout(
    private_redis, committed_brand_a, tmp_path
):
    _killed_worker_task_runs_again(private_redis, committed_brand_a, tmp_path)


@pytest.mark.worker
def test_rabbitmq_redelivers_the_task_of_a_killed_worker(rabbitmq_vhost, committed_brand_a, tmp_path):
    _killed_worker_task_runs_again(rabbitmq_vhost, committed_brand_a, tmp_path)


@pytest.mark.worker
def test_rabbitmq_routes_each_kind_to_its_queue_and_a_worker_serves_them(
    rabbitmq_vhost, committed_db, tmp_path
):
    from django.conf import settings
    from django.utils import timezone

    from platform.celery import app
    from tenants.models import Heartbeat
    from tests.platform.test_queues import EXPECTED_QUEUES

    with app.connection_for_write(rabbitmq_vhost) as conn:
        for queue in app.conf.task_queues:
            queue.bind(conn.default_channel).declare()  # as a worker does when it starts
        for name in EXPECTED_QUEUES:
            # Routing only: these messages are counted and purged, never run.
            app.send_task(name, connection=conn, headers={"_schema_name": "public"})
        channel = conn.default_channel
        expected = {q: sum(1 for v in EXPECTED_QUEUES.values() if v == q) for q in settings.TASK_QUEUES}

        def counts():
            return {q: channel.queue_declare(q, passive=True).message_count for q in settings.TASK_QUEUES}

        # Publishing is asynchronous here; give the last messages a moment to be routed.
        wait_for(
            lambda: counts() == expected,
            timeout=20,
            interval=0.2,
            message="every message in its kind's queue",
        )
        for queue in settings.TASK_QUEUES:
            channel.queue_purge(queue)

    started = timezone.now()
    worker = _start_worker(subprocess_env() | {"CELERY_BROKER_URL": rabbitmq_vhost}, tmp_path / "worker.log")
    try:
        with app.connection_for_write(rabbitmq_vhost) as conn:
            for queue in settings.TASK_QUEUES:
                app.send_task("tenants.worker_heartbeat", args=[queue], queue=queue, connection=conn)
        wait_for(
            lambda: Heartbeat.objects.filter(seen_at__gte=started).count() == len(settings.TASK_QUEUES),
            timeout=60,
            message="every queue's heartbeat over RabbitMQ",
        )
    finally:
        worker.terminate()
        worker.wait(timeout=20)
