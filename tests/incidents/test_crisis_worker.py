"""Reminders and escalations through a real Celery worker: the periodic sweep runs in public,
fans out to each ready brand, reminds a task's owner before it is due and escalates an overdue
task to the incident's crisis manager, once."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.worker import wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def committed_ayu(committed_db):
    """Ayu without the `db` fixture, whose test transaction would hide our writes from the worker."""
    from tenants.models import User

    return User.objects.get(email="ayu@example.com")


@pytest.fixture
def tasks_due(committed_brand_a, committed_ayu):
    from incidents.models import CrisisRole, RosterMember
    from incidents.services.incidents import incident_open
    from incidents.services.team import assignment_add, task_create

    ayu = committed_ayu
    manager = RosterMember.objects.create(
        user=ayu, name="Ayu", role=CrisisRole.CRISIS_MANAGER, email=ayu.email
    )
    contact = RosterMember.objects.create(
        name="Dewi (legal klien)", role=CrisisRole.LEGAL, email="dewi@klien.example.com", organisation="Klien"
    )
    incident = incident_open(actor=ayu, title="Kopi basi", severity=2)
    assignment_add(incident_id=incident.pk, actor=ayu, member_id=manager.pk)
    now = timezone.now()
    soon = task_create(
        incident_id=incident.pk,
        actor=ayu,
        title="Tinjau pernyataan",
        owner_id=contact.pk,
        due_at=now + timedelta(minutes=30),
    )
    overdue = task_create(
        incident_id=incident.pk,
        actor=ayu,
        title="Telepon gerai",
        owner_id=contact.pk,
        due_at=now + timedelta(minutes=90),
    )
    # Overdue since ten minutes ago; set directly because the service refuses nothing here but
    # the test needs a time in the past without waiting.
    type(overdue).objects.filter(pk=overdue.pk).update(due_at=now - timedelta(minutes=10))
    return incident, soon, overdue


def test_sweep_reminds_before_due_and_escalates_overdue_through_the_worker(
    celery_worker, tasks_due, committed_ayu
):
    from incidents.models import IncidentTask, Notification, TimelineEntry
    from incidents.tasks.reminders import crisis_reminders_sweep_all

    incident, soon, overdue = tasks_due
    ayu = committed_ayu
    with schema_context("public"):
        queued = crisis_reminders_sweep_all.delay()
    assert queued is not None

    def done():
        return (
            IncidentTask.objects.filter(pk=soon.pk, reminded_at__isnull=False).exists()
            and IncidentTask.objects.filter(pk=overdue.pk, escalated_at__isnull=False).exists()
        )

    wait_for(done, timeout=60, message=f"the reminder and escalation (worker log: {celery_worker})")
    assert (
        TimelineEntry.objects.filter(
            incident=incident, kind="task_reminder", data__task_id=str(soon.pk)
        ).count()
        == 1
    )
    escalation = TimelineEntry.objects.get(incident=incident, kind="task_escalated")
    assert "Ayu" in escalation.text and "Telepon gerai" in escalation.text
    note = Notification.objects.get(user_id=ayu.pk, subject__startswith="Overdue")
    assert "Telepon gerai" in note.subject
    assert not IncidentTask.objects.filter(pk=soon.pk, escalated_at__isnull=False).exists()

    # A second sweep finds nothing left to do: no second reminder, no second escalation.
    with schema_context("public"):
        crisis_reminders_sweep_all.delay()
    from incidents.tasks.reminders import crisis_reminders_task

    result = crisis_reminders_task.apply().get()  # same sweep, in this process, as a check
    assert result["task_reminders"] == 0 and result["task_escalations"] == 0
    assert (
        TimelineEntry.objects.filter(incident=incident, kind__in=["task_reminder", "task_escalated"]).count()
        == 2
    )


def test_concurrent_openings_never_share_a_number(committed_brand_a, committed_ayu):
    """Eight incidents opened at once on committed data get eight different, gapless numbers."""
    import threading

    from django.db import connection, connections
    from django_tenants.utils import tenant_context

    from incidents.models import Incident
    from incidents.services.incidents import incident_open

    start = threading.Barrier(8)
    errors: list = []

    def open_one(i: int) -> None:
        try:
            with tenant_context(committed_brand_a):
                start.wait()
                incident_open(actor=committed_ayu, title=f"Serentak {i}")
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=open_one, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert connection.schema_name == committed_brand_a.schema_name
    assert sorted(Incident.objects.values_list("number", flat=True)) == list(range(1, 9))


def test_severe_alert_opens_an_incident_through_the_worker(celery_worker, committed_brand_a):
    from django.db import transaction

    from incidents.models import Alert, Incident
    from incidents.tasks.one_crisis import incident_auto_open_task

    now = timezone.now()
    with transaction.atomic():
        alert = Alert.objects.create(
            detector=Alert.Detector.RUMOUR,
            condition_key="rumour:worker",
            severity=Alert.Severity.CRITICAL,
            title="Rumor: kopi mengandung babi",
            window_start=now - timedelta(hours=1),
            window_end=now,
            last_seen_at=now,
            evidence={"authors": 12},
        )
        transaction.on_commit(lambda: incident_auto_open_task.delay(str(alert.pk)))

    incident = wait_for(
        lambda: Incident.objects.filter(alerts=alert).first(), timeout=60, message="the auto-opened incident"
    )
    assert incident.severity == 1 and incident.title == alert.title
    assert Alert.objects.get(pk=alert.pk).state == Alert.State.INCIDENT_OPENED
