"""Each free text a person types into a crisis has one limit, kept by the service: the war room and
the API refuse the same over-long text with the same field error, and nothing is written."""

import pytest

from incidents.models import Incident, ModerationAction, StatusUpdate
from incidents.services import incidents as incident_services
from incidents.services import moderation as moderation_services
from incidents.services import status_updates as status_update_services
from incidents.services import timeline as timeline_services
from tenants.errors import DomainError, text_checked
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db

WAR_ROOM = "/admin/incidents/incident/{}/war-room/"


def test_text_checked_strips_and_names_the_field():
    assert text_checked("  hi  ", field="text", max_length=2) == "hi"
    with pytest.raises(DomainError) as caught:
        text_checked("abc", field="text", max_length=2)
    assert list(caught.value.field_errors) == ["text"]
    errors = {}
    assert text_checked("abc", field="reason", max_length=2, errors=errors) == "abc"
    assert "reason" in errors


def test_the_services_refuse_over_long_text_and_write_nothing(crisis_incident, ayu, guidelines, mention):
    over = "x" * (timeline_services.NOTE_MAX + 1)
    entries = crisis_incident.timeline.count()
    with pytest.raises(DomainError) as caught:
        timeline_services.timeline_note_add(incident_id=crisis_incident.pk, actor=ayu, text=over)
    assert "text" in caught.value.field_errors

    with pytest.raises(DomainError) as caught:
        status_update_services.status_update_draft(
            incident_id=crisis_incident.pk, actor=ayu, conditions="ok", actions=over
        )
    assert list(caught.value.field_errors) == ["actions"]
    assert not StatusUpdate.objects.exists()

    with pytest.raises(DomainError) as caught:
        incident_services.incident_update(
            incident_id=crisis_incident.pk, actor=ayu, summary="s" * (incident_services.DETAILS_MAX + 1)
        )
    assert "summary" in caught.value.field_errors

    with pytest.raises(DomainError) as caught:
        incident_services.incident_open(actor=ayu, title="t" * (incident_services.TITLE_MAX + 1))
    assert "title" in caught.value.field_errors
    assert Incident.objects.count() == 1

    with pytest.raises(DomainError) as caught:
        moderation_services.moderation_act(
            actor=ayu,
            mention_id=mention.pk,
            action="hide",
            rule_number=1,
            reason="r" * (moderation_services.REASON_MAX + 1),
        )
    assert "reason" in caught.value.field_errors
    assert not ModerationAction.objects.exists()
    assert crisis_incident.timeline.count() == entries


def test_the_war_room_keeps_the_apis_limit_on_notes(crisis_incident, ayu, client_a):
    client_a.login_as(ayu)
    entries = crisis_incident.timeline.count()
    page = client_a.post(
        WAR_ROOM.format(crisis_incident.pk),
        {"action": "note", "text": "x" * (timeline_services.NOTE_MAX + 1)},
        follow=True,
    )
    assert page.status_code == 200
    assert f"At most {timeline_services.NOTE_MAX} characters" in page.content.decode()
    assert crisis_incident.timeline.count() == entries
    client_a.post(
        WAR_ROOM.format(crisis_incident.pk), {"action": "note", "text": "x" * timeline_services.NOTE_MAX}
    )
    assert crisis_incident.timeline.count() == entries + 1


def test_the_api_describes_each_limit_from_its_service():
    from incidents.api import incidents, moderation, one_crisis, responses, status_updates, team, timeline
    from incidents.services import one_crisis as one_crisis_services
    from incidents.services import responses as response_services
    from incidents.services import team as team_services

    def limit(serializer, field):
        return serializer().fields[field].max_length

    assert limit(timeline.TimelineApi.Input, "text") == timeline_services.NOTE_MAX
    for field in ("conditions", "actions", "needs"):
        assert (
            limit(status_updates.StatusUpdateListCreateApi.Input, field)
            == status_update_services.STATUS_UPDATE_TEXT_MAX
        )
    assert limit(incidents.IncidentListCreateApi.Input, "title") == incident_services.TITLE_MAX
    for field in ("summary", "root_cause_notes"):
        assert limit(incidents.IncidentDetailApi.Input, field) == incident_services.DETAILS_MAX
    for field in ("reason", "summary"):
        assert limit(incidents.IncidentTransitionApi.Input, field) == incident_services.TRANSITION_TEXT_MAX
    assert limit(one_crisis.IncidentMergeApi.Input, "reason") == one_crisis_services.MERGE_REASON_MAX
    for field in ("reason", "public_explanation"):
        assert limit(moderation.ModerationListCreateApi.Input, field) == moderation_services.REASON_MAX
    assert limit(team.TaskListCreateApi.Input, "title") == team_services.TASK_TITLE_MAX
    assert limit(team.TaskListCreateApi.Input, "description") == team_services.TASK_DESCRIPTION_MAX
    assert limit(responses.ResponseDetailApi.Input, "text") == response_services.TEXT_MAX
