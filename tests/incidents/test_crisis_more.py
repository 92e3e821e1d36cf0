"""Opening incidents from alerts (by hand and above the brand's threshold), client status
updates on a cadence, drills kept out of client figures, and the versioned crisis plan."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Alert, CrisisSettings, Incident
from incidents.services.incidents import incident_open_from_alert
from incidents.services.one_crisis import incident_auto_open_for_alert
from tenants.errors import DomainError
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_mention

pytestmark = pytest.mark.django_db


def make_alert(severity=Alert.Severity.HIGH, mention_ids=()):
    now = timezone.now()
    return Alert.objects.create(
        detector=Alert.Detector.NEGATIVE_SPIKE,
        condition_key=f"spike:{now.timestamp()}:{severity}",
        severity=severity,
        title="Lonjakan komentar negatif: 48 dalam 1 jam",
        window_start=now - timedelta(hours=1),
        window_end=now,
        last_seen_at=now,
        evidence={"count": 48, "baseline": 6.0, "example_mention_ids": [str(m) for m in mention_ids]},
    )


def test_open_from_alert_links_the_alert_its_mentions_and_evidence(in_brand_a, ayu):
    mentions = [make_mention(platform="x"), make_mention(platform="instagram")]
    alert = make_alert(mention_ids=[m.pk for m in mentions])
    incident = incident_open_from_alert(alert_id=alert.pk, actor=ayu)
    alert.refresh_from_db()
    assert alert.incident == incident and alert.state == Alert.State.INCIDENT_OPENED
    assert incident.severity == 2  # alert HIGH is SEV2
    assert incident.title == alert.title
    assert set(incident.mention_links.values_list("mention_id", flat=True)) == {m.pk for m in mentions}
    assert incident.affected_platforms == ["instagram", "x"]
    linked = incident.timeline.get(kind="alert_linked")
    assert linked.data["evidence"]["count"] == 48


def test_opening_from_the_same_alert_twice_returns_the_same_incident(in_brand_a, ayu):
    alert = make_alert()
    first = incident_open_from_alert(alert_id=alert.pk, actor=ayu)
    assert incident_open_from_alert(alert_id=alert.pk, actor=ayu) == first
    assert Incident.objects.count() == 1


def test_alert_at_the_threshold_opens_an_incident_by_itself(in_brand_a):
    CrisisSettings.objects.update_or_create(pk=1, defaults={"auto_open_max_severity": 2})
    incident = incident_auto_open_for_alert(alert_id=make_alert(Alert.Severity.HIGH).pk)
    assert incident is not None and incident.opened_by is None
    assert incident.timeline.get(kind="opened").actor_label.startswith("automatic")


def test_alert_below_the_threshold_opens_nothing(in_brand_a):
    CrisisSettings.objects.update_or_create(pk=1, defaults={"auto_open_max_severity": 1})
    assert incident_auto_open_for_alert(alert_id=make_alert(Alert.Severity.HIGH).pk) is None
    assert not Incident.objects.exists()


def test_auto_open_can_be_switched_off(in_brand_a):
    CrisisSettings.objects.update_or_create(pk=1, defaults={"auto_open_max_severity": None})
    assert incident_auto_open_for_alert(alert_id=make_alert(Alert.Severity.CRITICAL).pk) is None


# --- Client status updates ---------------------------------------------------------------------
def test_first_client_update_is_due_on_the_severity_cadence(crisis_incident):
    expected = crisis_incident.opened_at + timedelta(hours=4)  # SEV2
    assert abs((crisis_incident.status_update_due_at - expected).total_seconds()) < 5


def test_approved_update_is_pinned_emailed_to_the_client_and_reschedules(
    crisis_incident, ayu, budi, django_capture_on_commit_callbacks
):
    from incidents.models import Notification
    from incidents.services.status_updates import status_update_approve, status_update_draft

    update = status_update_draft(
        incident_id=crisis_incident.pk,
        actor=ayu,
        conditions="Keluhan turun 40%",
        actions="Penarikan batch",
        needs="Persetujuan kompensasi",
    )
    with django_capture_on_commit_callbacks():
        status_update_approve(status_update_id=update.pk, actor=ayu)
        status_update_approve(status_update_id=update.pk, actor=ayu)
    assert Notification.objects.filter(user_id=budi.pk).count() == 1
    assert not Notification.objects.filter(user_id=ayu.pk).exists()  # clients only
    entry = crisis_incident.timeline.get(data__event="sent")
    assert entry.pinned and "Persetujuan kompensasi" in entry.text
    crisis_incident.refresh_from_db()
    assert crisis_incident.last_status_update_at is not None
    assert crisis_incident.status_update_due_at > crisis_incident.last_status_update_at


def test_status_update_needs_conditions_and_actions(crisis_incident, ayu):
    from incidents.services.status_updates import status_update_draft

    with pytest.raises(DomainError) as error:
        status_update_draft(incident_id=crisis_incident.pk, actor=ayu, conditions="", actions="")
    assert set(error.value.field_errors) == {"conditions", "actions"}


def test_due_client_update_reminds_the_crisis_manager_once(crisis_incident, ayu, ayu_member):
    from incidents.services.status_updates import status_update_reminders_send
    from incidents.services.team import assignment_add

    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=ayu_member.pk)
    Incident.objects.filter(pk=crisis_incident.pk).update(
        status_update_due_at=timezone.now() + timedelta(minutes=10)
    )
    assert status_update_reminders_send() == 1
    assert status_update_reminders_send() == 0
    assert crisis_incident.timeline.filter(kind="status_update_reminder").count() == 1


# --- Drills ---------------------------------------------------------------------------------------
def test_drill_runs_on_its_own_incident_and_stays_out_of_client_lists(in_brand_a, ayu, crisis_incident):
    from incidents.selectors_crisis import incident_list
    from incidents.services.drills import (
        drill_finish,
        drill_scenario_create,
        drill_schedule,
        drills_start_due,
    )
    from incidents.services.incidents import incident_transition, incident_update

    scenario = drill_scenario_create(
        actor=ayu,
        title="Rumor kopi mengandung babi",
        description="Rumor menyebar di X",
        severity=1,
        injects=[{"after_minutes": 5, "platform": "x", "text": "Katanya kopi ini tidak halal!"}],
    )
    drill = drill_schedule(
        actor=ayu, scenario_id=scenario.pk, scheduled_for=timezone.now() - timedelta(minutes=1)
    )
    assert drills_start_due() == 1
    drill.refresh_from_db()
    assert drill.state == "running" and drill.incident.is_drill
    assert "tidak halal" in drill.incident.timeline.get(kind="drill").text
    incident_update(incident_id=drill.incident_id, actor=ayu, source_category="misinformation")
    incident_transition(incident_id=drill.incident_id, actor=ayu, to_status="triaged")
    drill = drill_finish(drill_id=drill.pk, actor=ayu, debrief="Triase cepat, pernyataan lambat")
    assert drill.figures["seconds_to_triage"] is not None
    assert drill.incident.status_update_due_at is None
    assert list(incident_list(for_client=True)) == [crisis_incident]
    assert set(incident_list()) == {crisis_incident, drill.incident}


def test_drill_approval_never_reaches_the_networks(
    in_brand_a, ayu, webhook_all, django_capture_on_commit_callbacks
):
    from incidents.models import WebhookDelivery
    from incidents.services.incidents import incident_open
    from incidents.services.responses import response_approve, response_draft, response_submit

    drill_incident = incident_open(actor=ayu, title="[DRILL] x", is_drill=True)
    statement = response_draft(
        actor=ayu,
        kind="holding_statement",
        incident_id=drill_incident.pk,
        language="en",
        text="We understand the concern and are investigating; we will update you by 17:00 WIB.",
    )
    with django_capture_on_commit_callbacks():
        response_submit(response_id=statement.pk, actor=ayu)
        approved = response_approve(response_id=statement.pk, actor=ayu)
    assert approved.state == "sent"
    assert not WebhookDelivery.objects.exists()


# --- Crisis plan ---------------------------------------------------------------------------------
def test_each_plan_edit_is_a_new_version_and_old_ones_stay(in_brand_a, ayu):
    from incidents.models import CrisisPlanVersion
    from incidents.services.plans import crisis_plan_publish

    v1 = crisis_plan_publish(actor=ayu, roles_and_contacts="Ayu: 0812", escalation_thresholds="SEV1: CEO")
    v2 = crisis_plan_publish(
        actor=ayu, roles_and_contacts="Ayu: 0812, Budi: 0813", escalation_thresholds="SEV1: CEO"
    )
    same = crisis_plan_publish(
        actor=ayu, roles_and_contacts="Ayu: 0812, Budi: 0813", escalation_thresholds="SEV1: CEO"
    )
    assert (v1.version, v2.version, same.pk) == (1, 2, v2.pk)
    assert CrisisPlanVersion.objects.get(version=1).roles_and_contacts == "Ayu: 0812"


def test_client_viewer_cannot_edit_the_plan(in_brand_a, budi):
    from django.core.exceptions import PermissionDenied

    from incidents.services.plans import crisis_plan_publish

    with pytest.raises(PermissionDenied):
        crisis_plan_publish(actor=budi, guidelines="x")


def test_beat_runs_the_crisis_sweep_in_public_every_five_minutes():
    from incidents.tasks.crisis import crisis_reminders_sweep_all
    from platform.celery import app

    entry = app.conf.beat_schedule["crisis-reminders-sweep"]
    assert entry["task"] == crisis_reminders_sweep_all.name
    assert entry["tenant_schemas"] == ["public"] and entry["schedule"] == 300.0


def test_crisis_mode_is_on_while_a_severe_real_incident_is_open(in_brand_a, ayu):
    from incidents.selectors_crisis import crisis_mode_active
    from incidents.services.incidents import incident_open

    incident_open(actor=ayu, title="[DRILL]", severity=1, is_drill=True)
    incident_open(actor=ayu, title="Kecil", severity=4)
    assert not crisis_mode_active()
    incident_open(actor=ayu, title="Besar", severity=2)
    assert crisis_mode_active()


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
        mock.patch("incidents.tasks.crisis.contact_email_task.delay") as delay,
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

    from incidents.services._common import email_contacts
    from incidents.tasks.crisis import contact_email_task

    email = email_contacts(subject="Subjek", body="Isi", emails=["b@example.com", "a@example.com"])
    assert contact_email_task(str(email.pk)) is True
    assert contact_email_task(str(email.pk)) is False  # a duplicate run sends nothing
    assert len(mailoutbox) == 1
    assert mailoutbox[-1].to == ["a@example.com", "b@example.com"] and mailoutbox[-1].subject == "Subjek"
    assert (
        OSError in contact_email_task.autoretry_for and OperationalError in contact_email_task.autoretry_for
    )
