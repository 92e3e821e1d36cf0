"""Client status updates: due on the severity's cadence, approved ones pinned and sent to the
client, their required fields, and the crisis manager reminded once when one is due."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import Incident
from tenants.errors import DomainError
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db


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
