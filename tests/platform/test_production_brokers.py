"""The production brokers work too: a real worker on Redis and on RabbitMQ runs a task queued in a
brand's schema in that schema. Skipped (with the reason) where the broker is not running."""

import socket
import subprocess
import sys
import uuid

import pytest
from django_tenants.utils import schema_context

from tests.worker import ROOT, _die_with_parent, subprocess_env, wait_for

BROKERS = {
    "redis": ("127.0.0.1", 6379, "redis://127.0.0.1:6379/15"),
    "rabbitmq": ("127.0.0.1", 5672, "amqp://guest:guest@127.0.0.1:5672//"),
}


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.worker
@pytest.mark.parametrize("broker", sorted(BROKERS))
def test_worker_on_production_broker_runs_task_in_the_brand_schema(broker, committed_brand_a, tmp_path):
    from platform.celery import app
    from tenants.models import WorkerPing
    from tenants.tasks import worker_ping_task

    host, port, url = BROKERS[broker]
    if not _reachable(host, port):
        pytest.skip(f"{broker} is not running on {host}:{port}")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = subprocess_env() | {"CELERY_BROKER_URL": url}
    log = tmp_path / "worker.log"
    proc = subprocess.Popen(  # noqa: S603
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
            queue,
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
    )
    try:
        token = uuid.uuid4().hex
        with app.connection_for_write(url) as conn:
            worker_ping_task.apply_async(args=[token], queue=queue, connection=conn)
        with schema_context("public"):
            ping = wait_for(
                lambda: WorkerPing.objects.filter(token=token).first(),
                timeout=60,
                message=f"the ping:\n{log.read_text()[-3000:]}",
            )
        assert ping.schema_name == committed_brand_a.schema_name, log.read_text()[-2000:]
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        with app.connection_for_write(url) as conn:
            conn.default_channel.queue_delete(queue)  # leave the shared broker as we found it
