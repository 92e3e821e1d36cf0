"""A review's later steps through a real Celery worker (test_reviews_worker.py covers opening,
the survey and the reminders): the worker's figures equal the hand-computed values of a fixture
crisis, the team-feedback digest reaches the owner once however often its task and the crisis
sweep run, and the client approver's sign-off moves the incident to reviewed; brand B sees none
of it."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.helpers import BRAND_A, BRAND_B, brand_host
from tests.incidents.fixtures_crisis import make_mention
from tests.worker import _worker_caught_up, wait_for

pytestmark = pytest.mark.worker

H = timedelta(hours=1)


@pytest.fixture
def committed_approver(committed_db):
    """A client approver of brand A, removed afterwards (users live in public, which a committed
    test does not roll back)."""
    from tenants.models import Brand, BrandGrant, User
    from tenants.services import grant_set

    email = "putri-approver@example.com"
    user = User.objects.filter(email=email).first() or User.objects.create_user(email, "x", name="Putri")
    grant_set(email=user.email, brand_slug=BRAND_A, role=BrandGrant.Role.CLIENT_APPROVER)
    yield user
    BrandGrant.objects.filter(user=user).delete()
    # In a brand's schema: deleting a user also deletes its guardian rows, a brand table.
    with tenant_context(Brand.objects.get(slug=BRAND_A)):
        user.delete()
    connection.set_schema_to_public()


def _fixture_crisis(ayu):
    """Opened at T (40 h ago), first response at T+30 min, resolved at T+10 h. Before (T-10 h..T):
    10 mentions, 1 negative; during: 20, 15 negative; after (T+10 h..T+20 h): 10, 2 negative.
    Instagram followers 1000 → 940. Ayu, the crisis manager, is the only one asked for feedback."""
    from incidents.models import CrisisRole, Incident, IncidentMention, MetricSample, RosterMember
    from incidents.services.incidents import incident_open
    from incidents.services.team import assignment_add

    member = RosterMember.objects.create(
        user=ayu, name="Ayu", role=CrisisRole.CRISIS_MANAGER, email=ayu.email
    )
    incident = incident_open(actor=ayu, title="Kopi basi", severity=2)
    assignment_add(incident_id=incident.pk, actor=ayu, member_id=member.pk)
    t = timezone.now().replace(microsecond=0) - 40 * H
    first_negative = make_mention(posted_at=t - 2 * H + timedelta(minutes=5), sentiment_band="negative")
    IncidentMention.objects.create(incident=incident, mention=first_negative)
    for i in range(9):
        make_mention(posted_at=t - 9 * H + i * timedelta(minutes=30), sentiment_band="neutral")
    for i in range(20):
        make_mention(
            posted_at=t + i * timedelta(minutes=25), sentiment_band="negative" if i < 15 else "positive"
        )
    for i in range(10):
        make_mention(
            posted_at=t + 10 * H + i * timedelta(minutes=50),
            sentiment_band="negative" if i < 2 else "neutral",
        )
    MetricSample.objects.create(platform="instagram", measured_at=t - 3 * H, followers=1000)
    MetricSample.objects.create(platform="instagram", measured_at=t + 15 * H, followers=940)
    Incident.objects.filter(pk=incident.pk).update(
        opened_at=t, first_response_at=t + timedelta(minutes=30), root_cause_notes="Gudang panas"
    )
    return incident, t


def test_worker_figures_digest_and_client_sign_off(celery_worker, committed_brand_a, committed_approver):
    from incidents.models import CrisisSettings, Incident, Notification, Review
    from incidents.services import reviews as review_services
    from incidents.services.incidents import incident_transition
    from incidents.services.settings import crisis_settings_get
    from incidents.tasks.reminders import crisis_reminders_task
    from incidents.tasks.reviews import review_feedback_digest_task
    from tenants.models import User

    ayu = User.objects.get(email="ayu@example.com")
    crisis_settings_get()
    CrisisSettings.objects.filter(pk=1).update(reviews_need_client_sign_off=True)
    incident, t = _fixture_crisis(ayu)
    with transaction.atomic():  # the figures task leaves at commit, after the resolution time is set
        incident_transition(incident_id=incident.pk, actor=ayu, to_status="resolved", summary="Diganti")
        Incident.objects.filter(pk=incident.pk).update(resolved_at=t + 10 * H)

    # 1. The worker's figures are the hand-computed ones.
    review = wait_for(
        lambda: Review.objects.filter(incident=incident, outbox_state="done").first(),
        timeout=60,
        message=f"the figures (worker log: {celery_worker})",
    )
    f = review.figures
    assert f["time_to_detect_s"] == int((2 * H - timedelta(minutes=5)).total_seconds())
    assert (f["time_to_first_response_s"], f["time_to_resolve_s"]) == (1800, 36000)
    assert (f["negative_volume_before"], f["negative_volume_during"], f["negative_volume_after"]) == (
        1,
        15,
        2,
    )
    assert (f["negative_share_before"], f["negative_share_during"], f["negative_share_after"]) == (
        0.1,
        0.75,
        0.2,
    )
    assert f["sentiment_recovery_days"] is None and f["follower_change"] == {"instagram": -60}
    assert review.steps["figures"]["state"] == "done"

    # 2. The last answer sends the owner one digest; a retried task and two sweeps add none.
    review_services.review_feedback_submit(review_id=review.pk, actor=ayu, rating=4, text="Cepat")
    digests = Notification.objects.filter(user_id=ayu.pk, subject__startswith="Team feedback")
    wait_for(
        lambda: digests.filter(emailed_at__isnull=False).exists(),
        timeout=60,
        message=f"the digest email (worker log: {celery_worker})",
    )
    review_feedback_digest_task.delay(str(review.pk))
    crisis_reminders_task.delay()
    crisis_reminders_task.delay()
    _worker_caught_up()
    wait_for(lambda: not Review.objects.filter(pk=review.pk, feedback_digest_sent_at=None).exists())
    assert digests.count() == 1 and "4.0/5 from 1 of 1" in digests.get().subject
    assert Review.objects.get(pk=review.pk).steps["feedback"]["state"] == "done"

    # 3. The team completes; the client approver, told by email, signs off: the incident is reviewed.
    review_services.review_complete(review_id=review.pk, actor=ayu, summary="Pulih dalam dua hari")
    wait_for(
        lambda: Notification.objects.filter(user_id=committed_approver.pk, emailed_at__isnull=False).exists(),
        timeout=60,
        message="the sign-off request email",
    )
    client = Client(HTTP_HOST=brand_host(BRAND_A))
    client.force_login(committed_approver)
    answer = client.post(
        f"/api/v1/reviews/{review.pk}/sign-off/", {"decision": "approve"}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["state"] == "completed"
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.REVIEWED

    # Brand B sees none of it.
    from tenants.models import Brand

    with tenant_context(Brand.objects.get(slug=BRAND_B)):
        assert not Review.objects.exists() and not Notification.objects.exists()
        assert not Incident.objects.filter(pk=incident.pk).exists()
    assert Client(HTTP_HOST=brand_host(BRAND_B)).get(f"/api/v1/reviews/{review.pk}/").status_code in (
        401,
        403,
        404,
    )
