"""Drills: they run on their own incident, stay out of client figures and lists, and never reach
the networks."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db


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
