"""The review API on brand A's host: staff read and act, clients read completed reviews only
(what is marked for them), Citra and brand B's key get 404 everywhere, Budi writes nowhere,
bad input is a 400 with field errors, the list is cursor-paginated without N+1."""

import pytest
from django.utils import timezone

from incidents.models import Incident, Review
from incidents.services import reviews as review_services
from incidents.services.incidents import incident_open, incident_transition
from incidents.services.team import assignment_add
from tests.helpers import bearer
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import count_queries

pytestmark = pytest.mark.django_db


def _resolved_review(ayu, member, title="Kopi basi"):
    incident = incident_open(actor=ayu, title=title, severity=2)
    assignment_add(incident_id=incident.pk, actor=ayu, member_id=member.pk)
    incident_transition(incident_id=incident.pk, actor=ayu, to_status="resolved", summary="Diganti")
    return Review.objects.get(incident=incident)


@pytest.fixture
def review(in_brand_a, ayu, ayu_member):
    review = _resolved_review(ayu, ayu_member)
    review_services.review_figures_compute(review_id=review.pk)
    return review


def _endpoints(review, item, lesson):
    return [
        ("get", "/api/v1/reviews/", {}),
        ("get", f"/api/v1/reviews/{review.pk}/", {}),
        ("patch", f"/api/v1/reviews/{review.pk}/", {"summary": "x"}),
        ("post", f"/api/v1/reviews/{review.pk}/recompute/", {}),
        ("post", f"/api/v1/reviews/{review.pk}/steps/", {"step": "debrief", "state": "done"}),
        ("post", f"/api/v1/reviews/{review.pk}/customers/", {"email": "a@example.com"}),
        (
            "post",
            f"/api/v1/reviews/{review.pk}/customers/import/",
            {"customers": [{"email": "a@example.com"}]},
        ),
        ("post", f"/api/v1/reviews/{review.pk}/feedback/", {"rating": 3}),
        (
            "post",
            f"/api/v1/reviews/{review.pk}/follow-ups/",
            {"title": "t", "owner_id": str(item.owner_id), "due_at": "2030-01-01T00:00:00Z"},
        ),
        ("post", f"/api/v1/reviews/{review.pk}/lessons/", {"text": "x"}),
        ("post", f"/api/v1/reviews/{review.pk}/plan/", {}),
        ("post", f"/api/v1/reviews/{review.pk}/complete/", {"summary": "x"}),
        ("patch", f"/api/v1/reviews/follow-ups/{item.pk}/", {"status": "completed"}),
        ("post", f"/api/v1/reviews/lessons/{lesson.pk}/accept/", {}),
    ]


@pytest.fixture
def world(review, ayu, ayu_member):
    item = review_services.review_action_item_add(
        review_id=review.pk, actor=ayu, title="Audit", owner_id=ayu_member.pk, due_at=timezone.now()
    )
    lesson = review_services.review_lesson_add(
        review_id=review.pk, actor=ayu, text="Lebih cepat", accepted=True
    )
    return review, item, lesson


def _call(client, method, url, data, **extra):
    if method == "get":
        return client.get(url, **extra)
    return getattr(client, method)(url, data=data, content_type="application/json", **extra)


def test_ayu_reads_the_review_with_its_figures(world, client_a, ayu):
    review, _item, _lesson = world
    body = client_a.login_as(ayu).get(f"/api/v1/reviews/{review.pk}/").json()
    assert body["incident"] == str(review.incident_id) and body["state"] == "open"
    assert {"time_to_resolve_s", "negative_share_before", "sentiment_recovery_days", "csat", "nps"} <= set(
        body["figures"]
    )
    assert body["follow_ups"][0]["title"] == "Audit" and body["lessons"][0]["accepted"]


def test_citra_gets_404_on_every_review_endpoint_of_brand_a(world, client_a, citra):
    client_a.login_as(citra)
    for method, url, data in _endpoints(*world):
        assert _call(client_a, method, url, data).status_code == 404, (method, url)


def test_brand_b_api_key_gets_404_on_every_review_endpoint_of_brand_a(world, client_a, api_key_b):
    for method, url, data in _endpoints(*world):
        assert _call(client_a, method, url, data, **bearer(api_key_b)).status_code == 404, (method, url)


def test_budi_can_write_nowhere(world, client_a, budi):
    client_a.login_as(budi)
    for method, url, data in _endpoints(*world):
        if method != "get":
            assert _call(client_a, method, url, data).status_code in (403, 404), (method, url)
    assert Review.objects.get(pk=world[0].pk).summary == ""


def test_budi_sees_only_completed_reviews_and_what_is_marked_for_him(world, client_a, budi, ayu, ayu_member):
    review, item, lesson = world
    client_a.login_as(budi)
    assert client_a.get(f"/api/v1/reviews/{review.pk}/").status_code == 404  # still open
    assert client_a.get("/api/v1/reviews/").json()["results"] == []
    review_services.review_lesson_add(
        review_id=review.pk, actor=ayu, text="Internal", visible_to_client=False
    )
    Incident.objects.filter(pk=review.incident_id).update(root_cause_notes="Gudang panas")
    review_services.review_complete(review_id=review.pk, actor=ayu, summary="Pulih dalam dua hari")
    body = client_a.get(f"/api/v1/reviews/{review.pk}/").json()
    assert body["summary"] == "Pulih dalam dua hari"
    assert [lsn["text"] for lsn in body["lessons"]] == ["Lebih cepat"]
    assert body["follow_ups"] == []  # not marked visible
    assert "feedback" not in body and "customers" not in body


def test_drill_reviews_are_invisible_to_clients(in_brand_a, client_a, ayu, budi):
    drill = incident_open(actor=ayu, title="Latihan", severity=2, is_drill=True)
    incident_transition(incident_id=drill.pk, actor=ayu, to_status="resolved", summary="Selesai")
    Incident.objects.filter(pk=drill.pk).update(root_cause_notes="Latihan")
    review = Review.objects.get(incident=drill)
    review_services.review_complete(review_id=review.pk, actor=ayu, summary="Selesai")
    client_a.login_as(budi)
    assert client_a.get(f"/api/v1/reviews/{review.pk}/").status_code == 404


def test_bad_input_is_a_400_with_field_errors_and_writes_nothing(world, client_a, ayu):
    review, item, _lesson = world
    client_a.login_as(ayu)
    response = client_a.post(
        f"/api/v1/reviews/{review.pk}/customers/", data={"email": "nope"}, content_type="application/json"
    )
    assert response.status_code == 400 and "email" in str(response.json())
    response = client_a.patch(
        f"/api/v1/reviews/follow-ups/{item.pk}/",
        data={"status": "not_doing"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "reason" in str(response.json())
    response = client_a.post(
        f"/api/v1/reviews/{review.pk}/feedback/", data={"rating": 9}, content_type="application/json"
    )
    assert response.status_code == 400
    assert not review.customers.exists()


def test_actions_through_the_api(world, client_a, ayu):
    review, item, lesson = world
    client_a.login_as(ayu)
    assert (
        client_a.post(
            f"/api/v1/reviews/{review.pk}/feedback/",
            data={"rating": 4, "text": "Baik"},
            content_type="application/json",
        ).status_code
        == 200
    )
    answer = client_a.post(f"/api/v1/reviews/{review.pk}/plan/", content_type="application/json")
    assert answer.status_code == 201
    [draft] = answer.json()["plan_versions"]
    assert draft["state"] == "draft" and draft["version"] is None
    published = client_a.post(
        f"/api/v1/crisis-plan/versions/{draft['id']}/publish/", content_type="application/json"
    )
    assert published.status_code == 200 and published.json()["version"] == 1
    assert Review.objects.get(pk=review.pk).plan_version is not None
    assert (
        client_a.post(f"/api/v1/reviews/{review.pk}/recompute/", content_type="application/json").status_code
        == 202
    )


def test_integration_adds_customers_it_knows(world, client_a, api_key_a):
    review = world[0]
    response = client_a.post(
        f"/api/v1/reviews/{review.pk}/customers/",
        data={"email": "pelanggan@example.com", "mention_author": "@pelanggan"},
        content_type="application/json",
        **bearer(api_key_a),
    )
    assert response.status_code == 201 and response.json()["source"] == "integration"


def test_list_is_paginated_by_cursor_without_n_plus_one(review, client_a, ayu, ayu_member):
    client_a.login_as(ayu)
    client_a.get("/api/v1/reviews/")
    with count_queries() as one:
        first = client_a.get("/api/v1/reviews/?state=open").json()
    for n in range(3):
        _resolved_review(ayu, ayu_member, title=f"Lagi {n}")
    with count_queries() as four:
        body = client_a.get("/api/v1/reviews/?state=open").json()
    assert len(first["results"]) == 1 and len(body["results"]) == 4
    assert len(four) == len(one)
    assert "next" in body and "previous" in body


def test_a_step_is_skipped_with_a_reason_through_the_api(world, client_a, ayu, budi):
    review = world[0]
    url = f"/api/v1/reviews/{review.pk}/steps/"
    client_a.login_as(ayu)
    response = client_a.post(
        url, data={"step": "debrief", "state": "skipped"}, content_type="application/json"
    )
    assert response.status_code == 400 and "reason" in str(response.json())
    response = client_a.post(
        url,
        data={"step": "debrief", "state": "skipped", "reason": "Tim kecil"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["steps"]["debrief"]["state"] == "skipped"
    assert response.json()["steps"]["figures"]["state"] == "done"
    client_a.login_as(budi)
    assert (
        client_a.post(
            url, data={"step": "debrief", "state": "done"}, content_type="application/json"
        ).status_code
        == 403
    )


def test_follow_ups_carry_a_priority_and_list_the_urgent_first(world, client_a, ayu, ayu_member):
    from datetime import timedelta

    review, item, _lesson = world
    client_a.login_as(ayu)
    created = client_a.post(
        f"/api/v1/reviews/{review.pk}/follow-ups/",
        data={
            "title": "Ganti pemasok",
            "owner_id": str(ayu_member.pk),
            "due_at": (timezone.now() + timedelta(days=9)).isoformat(),
            "priority": 1,
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["priority"] == 1
    assert item.priority == 2  # medium unless said otherwise
    body = client_a.get(f"/api/v1/reviews/{review.pk}/").json()
    assert [f["title"] for f in body["follow_ups"]] == [
        "Ganti pemasok",
        "Audit",
    ]  # high before an earlier medium
    bad = client_a.patch(
        f"/api/v1/reviews/follow-ups/{item.pk}/", data={"priority": 7}, content_type="application/json"
    )
    assert bad.status_code == 400 and "priority" in bad.json()["errors"]
    lowered = client_a.patch(
        f"/api/v1/reviews/follow-ups/{item.pk}/", data={"priority": 3}, content_type="application/json"
    )
    assert lowered.status_code == 200 and lowered.json()["priority"] == 3
    from tenants.errors import DomainError

    with pytest.raises(DomainError) as refused:
        review_services.review_action_item_update(item_id=item.pk, actor=ayu, priority=9)
    assert "priority" in refused.value.field_errors
