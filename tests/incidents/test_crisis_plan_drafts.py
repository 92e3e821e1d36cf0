"""Reviews' lessons become a draft of the crisis plan: several reviews feed the one open draft,
staff edit it (admin and API) and publish it under the next number (gap-free: a discarded draft
takes none), which marks each review's plan step done, notes it on each incident's timeline and
shows which reviews caused the version. Bad input is refused whole; Budi writes nothing, Citra
and brand B see nothing; stored versions stay published through the migration."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from incidents.models import CrisisPlanVersion, Review, TimelineEntry
from incidents.services import plans as plan_services
from incidents.services import reviews as review_services
from incidents.services.incidents import incident_open, incident_transition
from tenants.errors import DomainError
from tests.helpers import bearer
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db


def _review_with_lesson(ayu, title: str, lesson: str) -> Review:
    incident = incident_open(actor=ayu, title=title, severity=2)
    incident_transition(incident_id=incident.pk, actor=ayu, to_status="resolved", summary="Pulih")
    review = Review.objects.get(incident=incident)
    review_services.review_lesson_add(review_id=review.pk, actor=ayu, text=lesson, accepted=True)
    return review


@pytest.fixture
def two_reviews(in_brand_a, ayu):
    plan_services.crisis_plan_publish(actor=ayu, roles_and_contacts="Ayu 0812", guidelines="Jawab 1 jam")
    return (
        _review_with_lesson(ayu, "Kopi basi", "Siapkan pernyataan penahan"),
        _review_with_lesson(ayu, "Aplikasi macet", "Uji beban sebelum promo"),
    )


def test_two_reviews_feed_one_draft_and_publishing_closes_both_plan_steps(two_reviews, ayu):
    first, second = two_reviews
    draft = review_services.review_plan_update(review_id=first.pk, actor=ayu)
    assert review_services.review_plan_update(review_id=second.pk, actor=ayu) == draft
    # A lesson accepted later replaces what its review proposed, not a second copy of it.
    review_services.review_lesson_add(review_id=first.pk, actor=ayu, text="Libatkan legal", accepted=True)
    draft = review_services.review_plan_update(review_id=first.pk, actor=ayu)
    assert sorted(c["text"] for c in draft.proposed_changes) == [
        "Libatkan legal",
        "Siapkan pernyataan penahan",
        "Uji beban sebelum promo",
    ]
    assert CrisisPlanVersion.objects.filter(state="draft").count() == 1
    plan_services.crisis_plan_draft_update(
        draft_id=draft.pk, actor=ayu, guidelines="Jawab 1 jam\nPernyataan penahan siap; uji beban; legal."
    )

    version = plan_services.crisis_plan_draft_publish(draft_id=draft.pk, actor=ayu)
    assert (version.version, version.state, version.based_on_version) == (2, "published", 1)
    assert version.guidelines.endswith("legal.")
    assert set(version.source_reviews.all()) == {first, second}
    for review in (first, second):
        review.refresh_from_db()
        assert review.plan_version == version and review.steps["plan"]["state"] == "done"
        assert TimelineEntry.objects.filter(
            incident=review.incident, text__startswith="Crisis plan v2 published"
        ).exists()
    # A published version never changes again.
    with pytest.raises(DomainError):
        plan_services.crisis_plan_draft_update(draft_id=version.pk, actor=ayu, guidelines="x")


def test_a_discarded_draft_takes_no_number_and_needs_a_reason(two_reviews, ayu):
    first, second = two_reviews
    draft = review_services.review_plan_update(review_id=first.pk, actor=ayu)
    with pytest.raises(DomainError) as refused:
        plan_services.crisis_plan_draft_discard(draft_id=draft.pk, actor=ayu, reason="  ")
    assert "reason" in refused.value.field_errors
    plan_services.crisis_plan_draft_discard(draft_id=draft.pk, actor=ayu, reason="Sudah tercakup")
    first.refresh_from_db()
    assert first.steps["plan"]["state"] == "pending" and first.plan_version is None
    # A hand-written version and the next draft keep the numbers gap-free.
    assert plan_services.crisis_plan_publish(actor=ayu, roles_and_contacts="Ayu 0812, Dewi").version == 2
    fresh = review_services.review_plan_update(review_id=second.pk, actor=ayu)
    assert fresh.pk != draft.pk and fresh.based_on_version == 2
    assert plan_services.crisis_plan_draft_publish(draft_id=fresh.pk, actor=ayu).version == 3
    assert sorted(CrisisPlanVersion.objects.exclude(version=None).values_list("version", flat=True)) == [
        1,
        2,
        3,
    ]


def test_an_unchanged_draft_is_refused_and_nothing_is_written(in_brand_a, ayu):
    plan_services.crisis_plan_publish(actor=ayu, guidelines="Jawab 1 jam")
    review = _review_with_lesson(ayu, "Kopi basi", "Lebih cepat")
    draft = review_services.review_plan_update(review_id=review.pk, actor=ayu)
    plan_services.crisis_plan_draft_update(draft_id=draft.pk, actor=ayu, guidelines="Jawab 1 jam")
    with pytest.raises(DomainError) as refused:
        plan_services.crisis_plan_draft_publish(draft_id=draft.pk, actor=ayu)
    assert "guidelines" in refused.value.field_errors
    draft.refresh_from_db()
    assert (draft.state, draft.version) == ("draft", None)
    with pytest.raises(DomainError):  # an empty plan
        plan_services.crisis_plan_draft_update(
            draft_id=draft.pk, actor=ayu, guidelines="", roles_and_contacts=""
        )
    unaccepted = _review_with_lesson(ayu, "Lain", "Belum disetujui")
    unaccepted.lessons.update(accepted=False)
    with pytest.raises(DomainError) as refused:
        review_services.review_plan_update(review_id=unaccepted.pk, actor=ayu)
    assert "lessons" in refused.value.field_errors
    assert not unaccepted.plan_versions.exists()


def test_budi_can_neither_propose_nor_publish(two_reviews, ayu, budi):
    from django.core.exceptions import PermissionDenied

    first, _second = two_reviews
    with pytest.raises(PermissionDenied):
        review_services.review_plan_update(review_id=first.pk, actor=budi)
    draft = review_services.review_plan_update(review_id=first.pk, actor=ayu)
    with pytest.raises(PermissionDenied):
        plan_services.crisis_plan_draft_publish(draft_id=draft.pk, actor=budi)
    with pytest.raises(PermissionDenied):
        plan_services.crisis_plan_draft_discard(draft_id=draft.pk, actor=budi, reason="x")
    assert CrisisPlanVersion.objects.get(pk=draft.pk).state == "draft"


# --- API ------------------------------------------------------------------------------------------
def test_the_api_edits_publishes_and_shows_the_reviews_behind_a_version(two_reviews, ayu, client_a):
    first, _second = two_reviews
    client_a.login_as(ayu)
    body = client_a.post(f"/api/v1/reviews/{first.pk}/plan/", content_type="application/json").json()
    draft_id = body["plan_versions"][0]["id"]
    url = f"/api/v1/crisis-plan/versions/{draft_id}/"
    got = client_a.get(url).json()
    assert got["state"] == "draft" and got["proposed_changes"][0]["text"] == "Siapkan pernyataan penahan"
    bad = client_a.patch(
        url, data={"guidelines": "", "roles_and_contacts": ""}, content_type="application/json"
    )
    assert bad.status_code == 400 and "roles_and_contacts" in bad.json()["errors"]
    assert (
        client_a.patch(url, data={"change_note": "Dari review"}, content_type="application/json").status_code
        == 200
    )
    assert client_a.post(url + "discard/", data={}, content_type="application/json").status_code == 400
    published = client_a.post(url + "publish/", content_type="application/json").json()
    assert published["version"] == 2 and published["change_note"] == "Dari review"
    assert [r["incident_number"] for r in published["source_reviews"]] == [first.incident.number]
    review = client_a.get(f"/api/v1/reviews/{first.pk}/").json()
    assert review["plan_version_number"] == 2 and review["steps"]["plan"]["state"] == "done"
    listed = client_a.get("/api/v1/crisis-plan/versions/?state=published").json()["results"]
    assert [v["version"] for v in listed] == [2, 1]
    # A version written by hand is published at once under the next number.
    versions = "/api/v1/crisis-plan/versions/"
    assert client_a.post(versions, data={}, content_type="application/json").status_code == 400
    by_hand = client_a.post(versions, data={"guidelines": "Baru"}, content_type="application/json")
    assert by_hand.status_code == 201 and by_hand.json()["version"] == 3


def test_other_brands_and_clients_never_reach_the_plan(two_reviews, ayu, budi, citra, client_a, api_key_b):
    first, _second = two_reviews
    draft = review_services.review_plan_update(review_id=first.pk, actor=ayu)
    urls = [
        ("get", "/api/v1/crisis-plan/versions/"),
        ("post", "/api/v1/crisis-plan/versions/"),
        ("get", f"/api/v1/crisis-plan/versions/{draft.pk}/"),
        ("patch", f"/api/v1/crisis-plan/versions/{draft.pk}/"),
        ("post", f"/api/v1/crisis-plan/versions/{draft.pk}/publish/"),
        ("post", f"/api/v1/crisis-plan/versions/{draft.pk}/discard/"),
    ]
    for method, url in urls:
        data = {"reason": "x", "guidelines": "x"}
        assert (
            getattr(client_a, method)(
                url, data=data, content_type="application/json", **bearer(api_key_b)
            ).status_code
            == 404
        )
    client_a.login_as(citra)
    for method, url in urls:
        assert (
            getattr(client_a, method)(url, data={"reason": "x"}, content_type="application/json").status_code
            == 404
        )
    client_a.login_as(budi)
    for method, url in urls:
        assert (
            getattr(client_a, method)(url, data={"reason": "x"}, content_type="application/json").status_code
            == 403
        )
    assert CrisisPlanVersion.objects.get(pk=draft.pk).state == "draft"


# --- Admin ----------------------------------------------------------------------------------------
def test_admin_shows_proposed_changes_and_save_and_publish_publishes(two_reviews, ayu, client_a):
    first, second = two_reviews
    review_services.review_plan_update(review_id=first.pk, actor=ayu)
    draft = review_services.review_plan_update(review_id=second.pk, actor=ayu)
    client_a.login_as(ayu)
    page = client_a.get(f"/admin/incidents/crisisplanversion/{draft.pk}/change/").content.decode()
    assert "Siapkan pernyataan penahan" in page and "Uji beban sebelum promo" in page and "_publish" in page
    form = {
        "roles_and_contacts": "Ayu 0812",
        "escalation_thresholds": "",
        "holding_statements": "Kami sedang memeriksa.",
        "guidelines": "Jawab 1 jam",
        "change_note": "Dua review",
        "_publish": "1",
    }
    client_a.post(f"/admin/incidents/crisisplanversion/{draft.pk}/change/", form)
    draft.refresh_from_db()
    assert (draft.state, draft.version, draft.holding_statements) == (
        "published",
        2,
        "Kami sedang memeriksa.",
    )
    listing = client_a.get("/admin/incidents/crisisplanversion/").content.decode()
    assert f"#{first.incident.number} Kopi basi" in listing
    review_page = client_a.get(f"/admin/incidents/review/{first.pk}/change/").content.decode()
    numbers = sorted([first.incident.number, second.incident.number])
    assert f"v2, from the reviews of incidents #{numbers[0]}, #{numbers[1]}" in review_page


def test_admin_discard_needs_a_reason(two_reviews, ayu, client_a):
    draft = review_services.review_plan_update(review_id=two_reviews[0].pk, actor=ayu)
    client_a.login_as(ayu)
    changelist = "/admin/incidents/crisisplanversion/"
    client_a.post(changelist, {"action": "discard_drafts", "_selected_action": [str(draft.pk)], "reason": ""})
    assert CrisisPlanVersion.objects.get(pk=draft.pk).state == "draft"
    client_a.post(
        changelist, {"action": "discard_drafts", "_selected_action": [str(draft.pk)], "reason": "Ganda"}
    )
    assert CrisisPlanVersion.objects.get(pk=draft.pk).discard_reason == "Ganda"


# --- Migration ------------------------------------------------------------------------------------
BEFORE = ("incidents", "0029_drill_mentions_numbering")  # the migration before the drafts
DRAFTS = ("incidents", "0030_plan_drafts")


def test_stored_versions_stay_published_and_keep_their_reviews(in_brand_a):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = MigrationExecutor(connection).loader.project_state([BEFORE]).apps
    version = old.get_model("incidents", "CrisisPlanVersion").objects.create(version=1, guidelines="Lama")
    incident = old.get_model("incidents", "Incident").objects.create(number=1, title="Lama", severity=2)
    old.get_model("incidents", "Review").objects.create(
        incident=incident, due_at="2026-01-01T00:00Z", survey_due_at="2026-01-01T00:00Z", plan_version=version
    )
    with connection.cursor() as cursor:  # check the rows' keys now, so the tables can be altered
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    MigrationExecutor(connection).migrate([DRAFTS])
    stored = CrisisPlanVersion.objects.get(pk=version.pk)
    assert (stored.state, stored.version, stored.published_at) == ("published", 1, stored.created_at)
    assert [r.plan_version_id for r in stored.source_reviews.all()] == [version.pk]
