"""The incident lifecycle: numbers, the status machine with its rules, the timeline, and crisis
mode while a severe real incident is open."""

import pytest
from django.db import IntegrityError, connection, transaction

from incidents.models import Incident, TimelineEntry, TimelineKind
from incidents.services.incidents import incident_open, incident_transition, incident_update
from incidents.services.team import assignment_add
from tenants.errors import DomainError
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db


def test_incidents_are_numbered_per_brand_from_one(in_brand_a, ayu):
    first = incident_open(actor=ayu, title="Satu")
    second = incident_open(actor=ayu, title="Dua")
    assert second.number == first.number + 1


def test_brand_b_numbers_its_incidents_on_its_own(in_brand_b, citra):
    from incidents.models import Incident

    assert not Incident.objects.exists()
    assert incident_open(actor=citra, title="Batik luntur").number == 1


def test_opening_writes_a_pinned_opened_entry(crisis_incident):
    entry = crisis_incident.timeline.get()
    assert entry.kind == TimelineKind.OPENED and entry.pinned
    assert entry.actor_label == "Ayu"


def test_client_viewer_cannot_open_an_incident(in_brand_a, budi):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        incident_open(actor=budi, title="x")


def test_triage_without_a_source_is_refused_and_writes_nothing(crisis_incident, ayu):
    before = crisis_incident.timeline.count()
    with pytest.raises(DomainError) as error:
        incident_transition(incident_id=crisis_incident.pk, actor=ayu, to_status="triaged")
    assert "source_category" in error.value.field_errors
    crisis_incident.refresh_from_db()
    assert crisis_incident.status == "detected"
    assert crisis_incident.timeline.count() == before


def test_responding_needs_an_assigned_crisis_manager(crisis_incident, ayu, ayu_member):
    incident_update(incident_id=crisis_incident.pk, actor=ayu, source_category="service_failure")
    incident_transition(incident_id=crisis_incident.pk, actor=ayu, to_status="triaged")
    with pytest.raises(DomainError) as error:
        incident_transition(incident_id=crisis_incident.pk, actor=ayu, to_status="responding")
    assert "assignments" in error.value.field_errors
    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=ayu_member.pk)
    incident = incident_transition(incident_id=crisis_incident.pk, actor=ayu, to_status="responding")
    assert incident.status == "responding" and incident.responding_at is not None


@pytest.mark.parametrize(
    ("frm", "to"),
    [
        ("detected", "responding"),
        ("detected", "monitoring"),
        ("detected", "reviewed"),
        ("triaged", "monitoring"),
    ],
)
def test_illegal_transitions_are_refused(crisis_incident, ayu, frm, to):
    Incident.objects.filter(pk=crisis_incident.pk).update(status=frm, source_category="other")
    with pytest.raises(DomainError) as error:
        incident_transition(incident_id=crisis_incident.pk, actor=ayu, to_status=to)
    assert f"from {frm} to {to}" in error.value.message
    assert Incident.objects.get(pk=crisis_incident.pk).status == frm


def test_resolving_needs_a_summary(responding_incident, ayu):
    with pytest.raises(DomainError) as error:
        incident_transition(incident_id=responding_incident.pk, actor=ayu, to_status="resolved")
    assert "summary" in error.value.field_errors
    incident = incident_transition(
        incident_id=responding_incident.pk, actor=ayu, to_status="resolved", summary="Batch ditarik, refund"
    )
    assert incident.resolution_summary == "Batch ditarik, refund" and incident.resolved_at
    assert incident.status_update_due_at is None


def test_repeating_a_transition_records_nothing_twice(responding_incident, ayu):
    count = responding_incident.timeline.count()
    incident_transition(incident_id=responding_incident.pk, actor=ayu, to_status="responding")
    assert responding_incident.timeline.count() == count


def test_review_needs_root_cause_notes(responding_incident, ayu):
    incident_transition(
        incident_id=responding_incident.pk, actor=ayu, to_status="resolved", summary="Selesai"
    )
    with pytest.raises(DomainError) as error:
        incident_transition(
            incident_id=responding_incident.pk, actor=ayu, to_status="reviewed", summary="Pelajaran"
        )
    assert "root_cause_notes" in error.value.field_errors
    incident_update(incident_id=responding_incident.pk, actor=ayu, root_cause_notes="Rantai dingin putus")
    incident = incident_transition(
        incident_id=responding_incident.pk, actor=ayu, to_status="reviewed", summary="Pelajaran"
    )
    assert incident.status == "reviewed" and incident.review_summary == "Pelajaran"


def test_reopen_needs_a_reason_and_is_pinned(responding_incident, ayu):
    incident_transition(
        incident_id=responding_incident.pk, actor=ayu, to_status="resolved", summary="Selesai"
    )
    with pytest.raises(DomainError):
        incident_transition(incident_id=responding_incident.pk, actor=ayu, to_status="responding")
    incident = incident_transition(
        incident_id=responding_incident.pk,
        actor=ayu,
        to_status="responding",
        reason="Keluhan baru dari Surabaya",
    )
    assert incident.reopen_count == 1 and incident.resolved_at is None
    entry = incident.timeline.order_by("-at").first()
    assert entry.kind == TimelineKind.REOPENED and entry.pinned and "Surabaya" in entry.text


def test_a_specialist_without_assignment_cannot_triage(crisis_incident, person):
    from django.core.exceptions import PermissionDenied

    specialist = person("social_media_specialist")
    Incident.objects.filter(pk=crisis_incident.pk).update(source_category="other")
    with pytest.raises(PermissionDenied):
        incident_transition(incident_id=crisis_incident.pk, actor=specialist, to_status="triaged")
    assert Incident.objects.get(pk=crisis_incident.pk).status == "detected"


def test_severity_change_is_named_on_the_timeline_and_reschedules_the_client_update(crisis_incident, ayu):
    due_before = crisis_incident.status_update_due_at
    incident = incident_update(incident_id=crisis_incident.pk, actor=ayu, severity=1)
    entry = incident.timeline.order_by("-at").first()
    assert entry.kind == TimelineKind.UPDATED and "SEV1" in entry.text
    assert incident.status_update_due_at < due_before  # critical: every 2 hours instead of 4


def test_timeline_rows_cannot_be_changed_or_deleted_in_the_database(crisis_incident):
    entry = crisis_incident.timeline.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        TimelineEntry.objects.filter(pk=entry.pk).update(text="rewritten")
    with pytest.raises(IntegrityError), transaction.atomic():
        TimelineEntry.objects.filter(pk=entry.pk).delete()
    TimelineEntry.objects.filter(pk=entry.pk).update(pinned=False)  # the pin is the one mutable column
    assert TimelineEntry.objects.get(pk=entry.pk).text == entry.text


def test_concurrent_numbering_uses_the_locked_counter(crisis_incident, ayu):
    from django.test.utils import CaptureQueriesContext

    from incidents.models import CrisisSettings

    assert CrisisSettings.objects.get().last_incident_number == crisis_incident.number
    assert connection.schema_name == "brand_kopi"
    with CaptureQueriesContext(connection) as queries:
        second = incident_open(actor=ayu, title="Isu kedua")
    assert second.number == crisis_incident.number + 1
    # The number is read under a row lock on the counter, so two openings at once wait in turn.
    table = CrisisSettings._meta.db_table
    assert any(table in q["sql"] and "FOR UPDATE" in q["sql"] for q in queries.captured_queries)


def test_opening_and_status_changes_emit_webhook_events(
    in_brand_a, ayu, webhook_all, django_capture_on_commit_callbacks
):
    from incidents.models import WebhookDelivery

    with django_capture_on_commit_callbacks():
        incident = incident_open(actor=ayu, title="Isu viral")
        incident_update(incident_id=incident.pk, actor=ayu, source_category="misinformation")
        incident_transition(incident_id=incident.pk, actor=ayu, to_status="triaged")
    events = list(WebhookDelivery.objects.values_list("event", flat=True).order_by("created_at"))
    assert events == ["incident.opened", "incident.status_changed"]


def test_crisis_mode_is_on_while_a_severe_real_incident_is_open(in_brand_a, ayu):
    from incidents.selectors_crisis import crisis_mode_active
    from incidents.services.incidents import incident_open

    incident_open(actor=ayu, title="[DRILL]", severity=1, is_drill=True)
    incident_open(actor=ayu, title="Kecil", severity=4)
    assert not crisis_mode_active()
    incident_open(actor=ayu, title="Besar", severity=2)
    assert crisis_mode_active()
