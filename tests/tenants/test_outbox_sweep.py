"""The outbox sweep: scheduled by beat in public, fanned out to every ready brand, each brand's sweep
sees only its own rows, and one failing sweeper does not stop the others."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.surveys.conftest import invite, make_survey

pytestmark = pytest.mark.django_db


def test_beat_runs_the_outbox_sweep_every_minute_from_public():
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-sweep"]
    assert entry["task"] == "tenants.outbox_sweep_all"
    assert entry["tenant_schemas"] == ["public"] and entry["schedule"] <= 60


def test_the_sweep_runs_in_every_ready_brand(brand_a, brand_b, monkeypatch):
    from tenants import tasks
    from tenants.fanout import brands_run_task
    from tenants.models import Brand
    from tenants.services import brand_create

    paused = brand_create(agency=brand_a.agency, slug="paused-outbox", name="Paused")
    Brand.objects.filter(pk=paused.pk).update(ready=False)
    queued = []
    # The fan-out's chunk messages run at once here; each runs the sweep in its brands' schemas.
    monkeypatch.setattr(brands_run_task, "apply_async", lambda args, queue: brands_run_task.run(*args))
    monkeypatch.setattr(tasks.outbox_sweep_task, "run", lambda: queued.append(connection.schema_name))
    tasks.outbox_sweep_all_task.run()
    assert {brand_a.schema_name, brand_b.schema_name} <= set(queued)
    assert paused.schema_name not in queued and "public" not in queued


def test_a_brand_sweep_hands_over_only_its_own_rows(brand_a, brand_b, monkeypatch):
    from surveys import tasks
    from surveys.models import Invitation
    from tenants.outbox import sweep_current_brand

    handed = []
    monkeypatch.setattr(
        tasks.invitation_send_task, "delay", lambda pk: handed.append((connection.schema_name, pk))
    )
    monkeypatch.setattr(tasks.invitations_send_task, "delay", lambda ids, reminder: None)
    with tenant_context(brand_a):
        invitation, _ = invite(make_survey(), send_email=True)
        Invitation.objects.update(outbox_lease_until=timezone.now() - timedelta(seconds=1))
    with tenant_context(brand_b):
        assert sweep_current_brand()["survey-invitation-emails"] == 0
    assert handed == []
    with tenant_context(brand_a):
        assert sweep_current_brand()["survey-invitation-emails"] == 1
    assert handed == [(brand_a.schema_name, str(invitation.pk))]


def test_a_failing_sweeper_does_not_stop_the_others(in_brand_a, monkeypatch):
    from django.db import OperationalError

    from tenants import outbox

    ran = []

    def broken():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(outbox, "_SWEEPERS", {"a-broken": broken, "b-fine": lambda: ran.append(1) or 3})
    assert outbox.sweep_current_brand() == {"a-broken": -1, "b-fine": 3}
    assert ran == [1]


def test_work_that_follows_a_write_retries_database_and_broker_errors():
    from django.db import InterfaceError, OperationalError
    from kombu.exceptions import OperationalError as BrokerError

    from incidents.tasks import notifications as notifications_tasks
    from incidents.tasks import one_crisis as one_crisis_tasks
    from incidents.tasks import sweeps as sweeps_tasks
    from tenants import tasks

    for task in (
        sweeps_tasks.mentions_score_task,
        notifications_tasks.notification_email_task,
        notifications_tasks.contact_email_task,
        one_crisis_tasks.incident_auto_open_task,
        tasks.outbox_sweep_task,
    ):
        assert {OperationalError, InterfaceError, BrokerError} <= set(task.autoretry_for), task.name
        assert task.retry_backoff and 0 < task.max_retries <= 10, task.name
