"""Review pages: the brand admin for staff (role-checked actions), and the completed review on the
client's report page (only what is marked for the client; nothing of an open review)."""

import pytest
from django.db import connection

from incidents.models import Incident, Review
from incidents.services import reviews as review_services
from incidents.services.incidents import incident_transition
from incidents.services.team import assignment_add
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(crisis_incident, ayu, ayu_member):
    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=ayu_member.pk)
    incident_transition(incident_id=crisis_incident.pk, actor=ayu, to_status="resolved", summary="Diganti")
    review = Review.objects.get(incident=crisis_incident)
    review_services.review_figures_compute(review_id=review.pk)
    review_services.review_lesson_add(
        review_id=review.pk, actor=ayu, text="Siapkan stok cadangan", accepted=True
    )
    review_services.review_lesson_add(
        review_id=review.pk, actor=ayu, text="Internal: gudang lalai", visible_to_client=False
    )
    return review


def _complete(review, ayu):
    Incident.objects.filter(pk=review.incident_id).update(root_cause_notes="Gudang panas")
    return review_services.review_complete(review_id=review.pk, actor=ayu, summary="Pulih dalam dua hari")


def test_staff_see_the_review_with_its_figures_in_the_admin(review, ayu, client_a):
    html = client_a.login_as(ayu).get(f"/admin/incidents/review/{review.pk}/change/").content.decode()
    assert "time_to_resolve_s" in html and "Siapkan stok cadangan" in html
    assert client_a.get("/admin/incidents/review/").status_code == 200


def test_admin_actions_go_through_the_services(review, ayu, client_a):
    client_a.login_as(ayu)
    from incidents.models import CrisisPlanVersion

    client_a.post(
        "/admin/incidents/review/", {"action": "propose_plan", "_selected_action": [str(review.pk)]}
    )
    draft = CrisisPlanVersion.objects.get(state="draft")
    assert list(draft.source_reviews.all()) == [review]
    assert Review.objects.get(pk=review.pk).plan_version is None  # published by staff, not by the action


def test_a_staff_member_without_a_role_on_the_incident_cannot_complete_it(review, person, client_a):
    specialist = person("social_media_specialist")
    client_a.login_as(specialist)
    client_a.post(f"/admin/incidents/review/{review.pk}/change/", {"summary": "x"})
    client_a.post("/admin/incidents/review/", {"action": "complete", "_selected_action": [str(review.pk)]})
    assert Review.objects.get(pk=review.pk).state == Review.State.OPEN
    assert Review.objects.get(pk=review.pk).summary == ""


def test_budi_and_citra_cannot_open_the_review_admin(review, budi, citra, client_a):
    assert client_a.login_as(budi).get(f"/admin/incidents/review/{review.pk}/change/").status_code == 403
    assert client_a.login_as(citra).get(f"/admin/incidents/review/{review.pk}/change/").status_code == 403


def test_client_report_shows_the_completed_review_only(review, ayu, budi, client_a):
    client_a.login_as(budi)
    url = f"/reports/incidents/{review.incident_id}/"
    assert "Siapkan stok cadangan" not in client_a.get(url).content.decode()  # still open
    _complete(review, ayu)
    html = client_a.get(url).content.decode()
    assert "Pulih dalam dua hari" in html and "Siapkan stok cadangan" in html
    assert "gudang lalai" not in html


def test_client_report_review_is_in_indonesian(review, ayu, budi, client_a):
    _complete(review, ayu)
    html = (
        client_a.login_as(budi)
        .get(f"/reports/incidents/{review.incident_id}/", HTTP_ACCEPT_LANGUAGE="id")
        .content.decode()
    )
    assert "Tinjauan pascakrisis" in html


def test_brand_b_host_does_not_know_brand_a_reviews(review, ayu, citra, client_b):
    _complete(review, ayu)
    connection.set_schema_to_public()
    assert client_b.login_as(citra).get(f"/reports/incidents/{review.incident_id}/").status_code == 404
