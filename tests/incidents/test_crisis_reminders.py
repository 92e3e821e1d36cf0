"""The crisis reminders sweep: run by beat in public, it opens incidents for severe alerts left
without one and queues reminders to outside contacts as retried emails."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Alert, CrisisSettings
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_alert

pytestmark = pytest.mark.django_db


def test_beat_runs_the_crisis_sweep_in_public_every_five_minutes():
    from incidents.tasks.reminders import crisis_reminders_sweep_all
    from platform.celery import app

    entry = app.conf.beat_schedule["crisis-reminders-sweep"]
    assert entry["task"] == crisis_reminders_sweep_all.name
    assert entry["tenant_schemas"] == ["public"] and entry["schedule"] == 300.0


def test_sweep_opens_incidents_for_severe_open_alerts_left_without_one(in_brand_a, ayu):
    from incidents.services.reminders import crisis_reminders_run

    CrisisSettings.objects.update_or_create(pk=1, defaults={"auto_open_max_severity": 2})
    severe, mild = make_alert(Alert.Severity.CRITICAL), make_alert(Alert.Severity.MEDIUM)
    acknowledged = make_alert(Alert.Severity.HIGH)
    Alert.objects.filter(pk=acknowledged.pk).update(state=Alert.State.ACKNOWLEDGED)
    assert crisis_reminders_run()["incidents_auto_opened"] == 1
    assert crisis_reminders_run()["incidents_auto_opened"] == 0
    severe.refresh_from_db()
    assert severe.incident.severity == 1
    assert not Alert.objects.filter(pk__in=[mild.pk, acknowledged.pk], incident__isnull=False).exists()


def test_an_outside_contacts_reminder_is_queued_as_a_retried_task_not_sent_inline(
    crisis_incident, ayu, django_capture_on_commit_callbacks
):
    from unittest import mock

    from incidents.models import CrisisRole, RosterMember
    from incidents.services.team import task_create, task_reminders_send

    contact = RosterMember.objects.create(
        name="Dewi", role=CrisisRole.LEGAL, email="dewi@klien.example.com", organisation="Klien"
    )
    task_create(
        incident_id=crisis_incident.pk,
        actor=ayu,
        title="Tinjau pernyataan",
        owner_id=contact.pk,
        due_at=timezone.now() + timedelta(minutes=10),
    )
    # A mail server that is down must not break the sweep nor lose the reminder it claimed.
    with (
        mock.patch("django.core.mail.send_mail", side_effect=OSError("smtp down")),
        mock.patch("incidents.tasks.notifications.contact_email_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert task_reminders_send() == 1
    delay.assert_called_once()
    # The email is recorded (pending) in the sweep's transaction; the task carries its id.
    from incidents.models import ContactEmail

    (email_id,) = delay.call_args.args
    email = ContactEmail.objects.get(pk=email_id)
    assert email.recipients == ["dewi@klien.example.com"] and "Tinjau pernyataan" in email.subject
    assert email.outbox_state == "pending"


def test_contact_email_task_sends_to_every_contact_and_retries_on_a_network_error(in_brand_a, mailoutbox):
    from django.db import OperationalError

    from incidents.services.notifications import email_contacts
    from incidents.tasks.notifications import contact_email_task

    email = email_contacts(subject="Subjek", body="Isi", emails=["b@example.com", "a@example.com"])
    assert contact_email_task(str(email.pk)) is True
    assert contact_email_task(str(email.pk)) is False  # a duplicate run sends nothing
    assert len(mailoutbox) == 1
    assert mailoutbox[-1].to == ["a@example.com", "b@example.com"] and mailoutbox[-1].subject == "Subjek"
    assert (
        OSError in contact_email_task.autoretry_for and OperationalError in contact_email_task.autoretry_for
    )
