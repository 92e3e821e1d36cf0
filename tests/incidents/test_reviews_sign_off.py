"""The client's sign-off of a post-crisis review, through the incident's report page: when the
brand asks for it, the team's completion waits for the client approver, who signs off (the
incident is reviewed) or sends it back with a comment; viewers and other brands cannot decide."""

import pytest
from django.db import connection

from incidents.models import CrisisSettings, Incident, Review, TimelineEntry
from incidents.services import reviews as review_services
from incidents.services.incidents import incident_transition
from incidents.services.settings import crisis_settings_get
from incidents.services.team import assignment_add
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting_review(crisis_incident, ayu, ayu_member):
    """A review the team completed on a brand whose reviews need the client's sign-off."""
    crisis_settings_get()
    CrisisSettings.objects.filter(pk=1).update(reviews_need_client_sign_off=True)
    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=ayu_member.pk)
    incident_transition(incident_id=crisis_incident.pk, actor=ayu, to_status="resolved", summary="Diganti")
    Incident.objects.filter(pk=crisis_incident.pk).update(root_cause_notes="Gudang panas")
    review = Review.objects.get(incident=crisis_incident)
    return review_services.review_complete(review_id=review.pk, actor=ayu, summary="Pulih dalam dua hari")


def _url(review) -> str:
    return f"/reports/incidents/{review.incident_id}/review/sign-off/"


def _back_in_brand_a() -> None:
    from tenants.models import Brand

    connection.set_tenant(Brand.objects.get(slug="kopi"))


def _sign_off_entries(review) -> int:
    return TimelineEntry.objects.filter(incident_id=review.incident_id, data__step="client_sign_off").count()


def test_the_teams_completion_waits_for_the_client(waiting_review):
    review = Review.objects.get(pk=waiting_review.pk)
    assert review.state == Review.State.AWAITING_SIGN_OFF
    assert review.steps["client_sign_off"]["state"] == "pending"
    assert Incident.objects.get(pk=review.incident_id).status == Incident.Status.RESOLVED


def test_client_approver_signs_off_once_and_the_incident_is_reviewed(waiting_review, client_a):
    approver = make_person("client_approver")
    client_a.login_as(approver)
    page = client_a.get(f"/reports/incidents/{waiting_review.incident_id}/").content.decode()
    assert 'id="sign-off"' in page and "Pulih dalam dua hari" in page
    assert client_a.post(_url(waiting_review), {"decision": "approve"}).status_code == 302
    entries = _sign_off_entries(waiting_review)
    assert client_a.post(_url(waiting_review), {"decision": "approve"}).status_code == 302  # a repeat
    review = Review.objects.get(pk=waiting_review.pk)
    assert review.state == Review.State.COMPLETED and review.signed_off_by_id == approver.pk
    assert review.steps["client_sign_off"]["state"] == "done"
    assert Incident.objects.get(pk=review.incident_id).status == Incident.Status.REVIEWED
    assert _sign_off_entries(waiting_review) == entries == 2  # waiting, then signed off: nothing twice


def test_sending_back_needs_a_comment_and_reopens_the_review(waiting_review, client_a):
    client_a.login_as(make_person("client_approver"))
    empty = client_a.post(_url(waiting_review), {"decision": "reject", "comment": "  "})
    assert empty.status_code == 400 and "Say what needs to change." in empty.content.decode()
    assert Review.objects.get(pk=waiting_review.pk).state == Review.State.AWAITING_SIGN_OFF
    client_a.post(_url(waiting_review), {"decision": "reject", "comment": "Tambahkan angka CSAT"})
    review = Review.objects.get(pk=waiting_review.pk)
    assert review.state == Review.State.OPEN
    assert review.steps["client_sign_off"] == {
        **review.steps["client_sign_off"],
        "reason": "Tambahkan angka CSAT",
    }
    assert TimelineEntry.objects.filter(incident_id=review.incident_id, text__contains="CSAT").count() == 1
    assert Incident.objects.get(pk=review.incident_id).status == Incident.Status.RESOLVED


def test_budi_a_client_viewer_cannot_sign_off(waiting_review, budi, client_a):
    client_a.login_as(budi)
    assert (
        'id="sign-off"'
        not in client_a.get(f"/reports/incidents/{waiting_review.incident_id}/").content.decode()
    )
    assert client_a.post(_url(waiting_review), {"decision": "approve"}).status_code == 403
    assert Review.objects.get(pk=waiting_review.pk).state == Review.State.AWAITING_SIGN_OFF


def test_citra_finds_no_review_to_sign_off(waiting_review, citra, client_b):
    assert client_b.login_as(citra).post(_url(waiting_review), {"decision": "approve"}).status_code == 404
    _back_in_brand_a()
    assert Review.objects.get(pk=waiting_review.pk).state == Review.State.AWAITING_SIGN_OFF


def test_the_api_signs_off_for_the_client_approver_only(waiting_review, ayu, client_a):
    url = f"/api/v1/reviews/{waiting_review.pk}/sign-off/"
    assert (
        client_a.login_as(ayu).post(url, {"decision": "approve"}, content_type="application/json").status_code
        == 403
    )
    client_a.login_as(make_person("client_approver"))
    assert client_a.post(url, {"decision": "reject"}, content_type="application/json").status_code == 400
    answer = client_a.post(url, {"decision": "approve", "comment": "Setuju"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["state"] == "completed"
