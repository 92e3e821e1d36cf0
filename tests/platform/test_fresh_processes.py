"""Tasks queued by a freshly started web process or management command go through the project's
tenant-aware Celery app from the first request: the message carries the brand's schema, and the
worker runs it there. (The rest of the suite loads the Celery app itself, so it cannot see this.)"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django_tenants.utils import tenant_context

from tests.helpers import BRAND_A, brand_host
from tests.incidents.fixtures_early_warning import mention_row
from tests.worker import ROOT, _die_with_parent, subprocess_env, wait_for

pytestmark = pytest.mark.worker


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _queued_messages(folder: Path) -> list[dict]:
    messages = []
    for path in sorted(folder.glob("*.msg")):
        messages.append(json.loads(path.read_text()))
    return messages


@pytest.fixture
def private_broker(tmp_path):
    """A broker folder no worker reads, so the test can look at what a process queued."""
    folder = tmp_path / "broker"
    folder.mkdir()
    return folder


def _env_for(broker: Path, django_db_blocker) -> dict:
    with django_db_blocker.unblock():
        env = subprocess_env()
    env["CELERY_BROKER_FOLDER"] = str(broker)
    # The OS environment names no broker: the project's settings must supply it.
    env.pop("CELERY_BROKER_URL", None)
    env["ALLOWED_HOSTS"] = "*"
    return env


def _move_into_worker_queue(broker: Path) -> None:
    os.makedirs(settings.CELERY_BROKER_FOLDER, exist_ok=True)
    for path in broker.glob("*.msg"):
        shutil.move(str(path), os.path.join(settings.CELERY_BROKER_FOLDER, path.name))


def test_fresh_gunicorn_queues_intake_scoring_in_the_brand_schema(
    committed_brand_a, private_broker, django_db_blocker, request
):
    from incidents.models import Mention
    from tenants.services import api_key_create

    _, key = api_key_create(brand=committed_brand_a, name="fresh gunicorn")
    port = _free_port()
    log = private_broker.parent / "gunicorn.log"
    proc = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "platform.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=_env_for(private_broker, django_db_blocker),
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
    )
    try:
        deadline = time.monotonic() + 60
        response = None
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{log.read_text()[-3000:]}")
            try:
                # The very first request this process serves is the intake POST.
                response = requests.post(
                    f"http://127.0.0.1:{port}/api/v1/mentions/",
                    json=[mention_row(external_id="fresh-1", text="Kopinya basi, kecewa")],
                    headers={"Host": f"{brand_host(BRAND_A)}", "Authorization": f"Bearer {key}"},
                    timeout=30,
                )
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        assert response is not None, log.read_text()[-3000:]
        assert response.status_code in (200, 201), response.text
        messages = wait_for(lambda: _queued_messages(private_broker), message="the queued scoring task")
        headers = [m["headers"] for m in messages]
        assert {h.get("_schema_name") for h in headers} == {committed_brand_a.schema_name}
    finally:
        proc.terminate()
        proc.wait(timeout=15)

    request.getfixturevalue("celery_worker")
    _move_into_worker_queue(private_broker)
    with tenant_context(committed_brand_a):
        scored = wait_for(
            lambda: Mention.objects.filter(external_id="fresh-1", scored_at__isnull=False).first(),
            timeout=60,
            message="the worker to score the mention in brand A's schema",
        )
    assert scored.sentiment is not None


def test_management_command_queues_through_the_tenant_aware_app(
    committed_brand_a, private_broker, django_db_blocker
):
    script = (
        "from django_tenants.utils import schema_context\n"
        "from tenants.tasks import worker_ping_task\n"
        f"with schema_context({committed_brand_a.schema_name!r}):\n"
        "    worker_ping_task.delay('from-shell')\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=_env_for(private_broker, django_db_blocker),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [message] = _queued_messages(private_broker)
    assert message["headers"]["_schema_name"] == committed_brand_a.schema_name
