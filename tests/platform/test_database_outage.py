"""With the database down, `/healthz` and the API answer a JSON 503 with Retry-After and pages a
short translated 503 page (not an HTML 500 a load balancer cannot tell from a bug); tasks that
arrive during the outage or just after it run in their brand once it is back.

Real processes on a private PostgreSQL holding a copy of the test database: a gunicorn, a Celery
worker, and the server stopped and started again by the test."""

import json
import socket
import subprocess
import sys
import time
import uuid

import pytest
import requests
from django.conf import settings
from kombu import Connection

from tests.helpers import BRAND_A, brand_host
from tests.private_postgres import private_postgres_fixture  # noqa: F401 - fixture
from tests.worker import ROOT, _die_with_parent, subprocess_env, wait_for

pytestmark = pytest.mark.worker


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args, env, log):
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
    )


def _stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _ping(broker, schema: str) -> str:
    """Queue the worker ping in `schema` on the private broker folder, as a web process would."""
    from platform.celery import app

    token = uuid.uuid4().hex
    with Connection(
        "filesystem://", transport_options={"data_folder_in": str(broker), "data_folder_out": str(broker)}
    ) as conn:
        app.send_task("tenants.worker_ping", args=[token], headers={"_schema_name": schema}, connection=conn)
    return token


def _ping_schema(pg, token: str) -> str:
    try:
        return pg.psql(f"SELECT schema_name FROM tenants_workerping WHERE token = '{token}'")
    except subprocess.CalledProcessError:
        return ""


@pytest.fixture
def outage_stack(private_postgres, tmp_path, django_db_blocker):
    """gunicorn (DEBUG off) and a worker on the private database and a private broker folder."""
    with django_db_blocker.unblock():
        env = subprocess_env()
    broker = tmp_path / "broker"
    broker.mkdir()
    env |= {
        "DATABASE_URL": private_postgres.url,
        "CELERY_BROKER_FOLDER": str(broker),
        "DB_CONNECT_TIMEOUT": "3",
        "ALLOWED_HOSTS": "*",
    }
    web_env = env | {"DEBUG": "0", "SECRET_KEY": "outage-test-" + uuid.uuid4().hex}
    port = _free_port()
    web = _start(
        ["gunicorn", "platform.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "60"],
        web_env,
        tmp_path / "web.log",
    )
    worker = _start(
        [
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
            f"outage-{uuid.uuid4().hex[:6]}@%h",
        ],
        env,
        tmp_path / "worker.log",
    )
    try:
        yield {"pg": private_postgres, "url": f"http://127.0.0.1:{port}", "broker": broker, "logs": tmp_path}
    finally:
        _stop(web)
        _stop(worker)


def _get(stack, path, host, **headers):
    deadline = time.monotonic() + 60
    while True:
        try:
            return requests.get(f"{stack['url']}{path}", headers={"Host": host, **headers}, timeout=30)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_database_outage_answers_503s_and_tasks_run_in_their_brand_after_it(outage_stack):
    pg, broker = outage_stack["pg"], outage_stack["broker"]
    main, brand = settings.BASE_DOMAIN, brand_host(BRAND_A)
    schema = pg.psql("SELECT schema_name FROM tenants_brand WHERE slug = 'kopi'")

    def log_tail():
        logs = outage_stack["logs"]
        return (logs / "worker.log").read_text()[-3000:] + (logs / "web.log").read_text()[-3000:]

    # Up: the health check is green on both hosts and the worker runs a task in brand A.
    for host in (main, brand):
        assert _get(outage_stack, "/healthz", host).status_code == 200
    before = _ping(broker, schema)
    wait_for(lambda: _ping_schema(pg, before), timeout=60, message="the first ping")
    assert _ping_schema(pg, before) == schema

    pg.stop()
    try:
        for host in (main, brand):
            health = _get(outage_stack, "/healthz", host)
            assert health.status_code == 503, (health.text[:500], log_tail())
            assert health.headers["Content-Type"] == "application/json"
            assert int(health.headers["Retry-After"]) > 0
            assert health.json()["status"] == "unavailable" and health.json()["database"] != "ok"

        api = _get(outage_stack, "/api/v1/whoami/", brand, Authorization="Bearer tg_whatever")
        assert api.status_code == 503
        assert api.headers["Content-Type"] == "application/json"
        assert api.json()["code"] == "database_unavailable"
        assert int(api.headers["Retry-After"]) > 0

        page = _get(outage_stack, "/reports/incidents/", brand)
        assert page.status_code == 503
        assert page.headers["Content-Type"].startswith("text/html")
        assert "Temporarily unavailable" in page.text and int(page.headers["Retry-After"]) > 0
        page_id = _get(outage_stack, "/reports/incidents/", brand, **{"Accept-Language": "id"})
        assert page_id.status_code == 503 and "Sementara tidak tersedia" in page_id.text

        # A task that arrives while the database is down waits for it rather than run elsewhere.
        during = _ping(broker, schema)
        time.sleep(2)  # the worker takes it and finds no database
    finally:
        pg.start()

    after = _ping(broker, schema)
    for token in (during, after):
        wait_for(lambda t=token: _ping_schema(pg, t), timeout=60, message=f"ping {token}:\n{log_tail()}")
        assert _ping_schema(pg, token) == schema, log_tail()
    assert _get(outage_stack, "/healthz", brand).status_code == 200
    assert json.loads(_get(outage_stack, "/healthz", main).text)["database"] == "ok"
