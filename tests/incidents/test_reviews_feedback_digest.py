"""The team-feedback digest: the review owner gets one digest (in-app and email, their language,
the brand's zone, an absolute link) as soon as everyone asked has answered, or when the feedback
window ends with who has not answered; the feedback step is done; repeated sweeps and tasks send
nothing twice; brand B's sweep finds nothing of brand A's."""

from datetime import timedelta

import pytest
from django.db import connection
from django_tenants.utils import tenant_context

from incidents.models import Notification, Review
from incidents.services import reviews as review_services
from incidents.services.incidents import incident_transition
from incidents.services.team import assignment_add
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def asked(crisis_incident, ayu, ayu_member, person):
    """Ayu (crisis manager, the owner) and Dewi (social-media specialist) were asked."""
    dewi = person("social_media_specialist", email="dewi@example.com")
    for member in (ayu_member, dewi.roster):
        assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=member.pk, role=member.role)
    incident_transition(incident_id=crisis_incident.pk, actor=ayu, to_status="resolved", summary="Pulih")
    return Review.objects.get(incident=crisis_incident), dewi


def _digests(user):
    return Notification.objects.filter(user_id=user.pk, subject__startswith="Team feedback")


def test_the_last_answer_queues_one_digest_for_the_owner(
    asked, ayu, django_capture_on_commit_callbacks, settings
):
    review, dewi = asked
    with django_capture_on_commit_callbacks() as callbacks:
        review_services.review_feedback_submit(review_id=review.pk, actor=ayu, rating=4, text="Cepat")
    assert not callbacks and not review_services.review_feedback_digest_send(review_id=review.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        review_services.review_feedback_submit(review_id=review.pk, actor=dewi, rating=5, text="Rapi")
    assert callbacks  # the digest task, handed over after commit

    assert review_services.review_feedback_digest_send(review_id=review.pk)
    assert not review_services.review_feedback_digest_send(review_id=review.pk)  # a retried task
    assert review_services.review_feedback_digests_send_due() == 0  # and the sweep after it
    [digest] = _digests(ayu)
    assert digest.subject == f"Team feedback on incident #{review.incident.number}: 4.5/5 from 2 of 2"
    assert "Not answered: everyone answered" in digest.body
    assert "- Ayu (4/5): Cepat" in digest.body and "(5/5): Rapi" in digest.body
    assert digest.link == connection.tenant.url(f"/admin/incidents/review/{review.pk}/change/")
    assert digest.link.startswith("http")
    review.refresh_from_db()
    assert review.steps["feedback"]["state"] == "done" and review.feedback_digest_sent_at is not None
    assert not _digests(dewi).exists()


def test_the_window_end_sends_the_digest_in_the_owners_language_with_who_did_not_answer(asked, ayu, settings):
    review, dewi = asked
    settings.REVIEW_FEEDBACK_WINDOW_HOURS = 48
    review_services.review_feedback_submit(review_id=review.pk, actor=ayu, rating=3, text="Lambat")
    end = review_services.review_feedback_window_end(review)
    assert end == min(review.opened_at + timedelta(hours=48), review.due_at - timedelta(hours=24))
    assert review_services.review_feedback_digests_send_due(now=end - timedelta(minutes=1)) == 0
    assert review_services.review_feedback_digests_send_due(now=end) == 1
    assert review_services.review_feedback_digests_send_due(now=end + timedelta(hours=1)) == 0
    [digest] = _digests(ayu)
    assert "3.0/5 from 1 of 2" in digest.subject and f"Not answered: {dewi.name}" in digest.body

    # Rendered for an Indonesian reader in the brand's zone (the email and the in-app list use this).
    from tenants.localization import local_format, reader_context

    ayu.language = "id"
    with reader_context(user=ayu):
        body, due = digest.body_text, local_format(review.due_at, "d M H:i T")
    assert "Belum menjawab" in body and due in body

    # A late answer after the digest sends no second one.
    review_services.review_feedback_submit(review_id=review.pk, actor=dewi, rating=5)
    assert review_services.review_feedback_digests_send_due(now=end + timedelta(hours=2)) == 0
    assert _digests(ayu).count() == 1


def test_brand_b_sweep_finds_nothing_of_brand_a(asked, ayu, brand_b):
    review, dewi = asked
    review_services.review_feedback_submit(review_id=review.pk, actor=ayu, rating=4)
    review_services.review_feedback_submit(review_id=review.pk, actor=dewi, rating=4)
    with tenant_context(brand_b):
        assert review_services.review_feedback_digests_send_due() == 0
        assert not Notification.objects.exists()
    review.refresh_from_db()
    assert review.feedback_digest_sent_at is None  # still brand A's to send
