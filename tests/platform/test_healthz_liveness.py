"""/healthz reports beat's and each queue's worker liveness (last heartbeat age) beside the database
and broker checks, and a stale worker never fails the web check. The real-process test starts beat
with a one-second heartbeat and lets the test worker answer."""

import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.helpers import BRAND_A, brand_host
from tests.worker import ROOT, _die_with_parent, subprocess_env, wait_for


@pytest.mark.django_db
def test_healthz_reports_fresh_heartbeats_as_ok(main_client):
    from tenants.models import Heartbeat
    from tenants.services import heartbeat_record

    Heartbeat.objects.all().delete()  # rows committed by real-process tests of an earlier run
    heartbeat_record(name="beat")
    heartbeat_record(name="worker:scoring", at=timezone.now() - timedelta(seconds=12))
    response = main_client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["beat"]["status"] == "ok"
    assert body["workers"]["scoring"] == {"status": "ok", "age_seconds": 12}
    assert body["workers"]["webhooks"] == {"status": "unknown", "age_seconds": None}
    assert set(body["workers"]) == set(settings.TASK_QUEUES)


@pytest.mark.django_db
def test_a_stale_worker_and_beat_are_reported_without_failing_the_web_check(main_client, client_a):
    from tenants.services import heartbeat_record

    long_ago = timezone.now() - timedelta(seconds=settings.HEARTBEAT_STALE_SECONDS + 60)
    heartbeat_record(name="beat", at=long_ago)
    for queue in settings.TASK_QUEUES:
        heartbeat_record(name=f"worker:{queue}", at=long_ago)
    for client in (main_client, client_a):
        response = client.get("/healthz")
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "ok"
        assert body["beat"]["status"] == "stale"
        assert body["beat"]["age_seconds"] >= settings.HEARTBEAT_STALE_SECONDS
        assert {w["status"] for w in body["workers"].values()} == {"stale"}


@pytest.mark.worker
def test_real_beat_and_worker_heartbeats_show_in_healthz(
    committed_db, celery_worker, tmp_path, django_db_blocker
):
    from django_celery_beat.models import PeriodicTask

    from tenants.models import Heartbeat

    started = timezone.now()
    existing = set(PeriodicTask.objects.values_list("pk", flat=True))
    with django_db_blocker.unblock():
        env = subprocess_env()
    env["WORKER_HEARTBEAT_SECONDS"] = "1"
    log = tmp_path / "beat.log"
    beat = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "platform", "beat", "--loglevel", "INFO", "--pidfile="],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        preexec_fn=_die_with_parent,
    )
    try:

        def all_alive():
            if beat.poll() is not None:
                pytest.fail(f"beat exited:\n{log.read_text()[-3000:]}")
            names = set(Heartbeat.objects.filter(seen_at__gte=started).values_list("name", flat=True))
            return names >= {"beat", *(f"worker:{q}" for q in settings.TASK_QUEUES)}

        wait_for(all_alive, timeout=60, interval=0.5, message="beat's and every queue's heartbeat")
    finally:
        beat.terminate()
        try:
            beat.wait(timeout=30)
        except subprocess.TimeoutExpired:
            beat.kill()
            beat.wait(timeout=10)
        PeriodicTask.objects.exclude(pk__in=existing).delete()  # leave the shared schedule as found
    for host in (settings.BASE_DOMAIN, brand_host(BRAND_A)):
        body = Client(HTTP_HOST=host).get("/healthz").json()
        assert body["beat"]["status"] == "ok"
        assert {w["status"] for w in body["workers"].values()} == {"ok"}
