"""Post-crisis reviews through a real Celery worker: resolving an incident (twice) opens one
review whose figures the worker computes; the periodic sweep, run after the survey delay, invites
each affected customer once and reminds the owner; brand B sees none of it."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from tests.worker import wait_for

pytestmark = pytest.mark.worker


@pytest.fixture
def committed_ayu(committed_db):
    from tenants.models import User

    return User.objects.get(email="ayu@example.com")


@pytest.fixture
def resolved(committed_brand_a, committed_ayu):
    from incidents.models import CrisisRole, RosterMember
    from incidents.services.incidents import incident_open, incident_transition
    from incidents.services.team import assignment_add

    ayu = committed_ayu
    member = RosterMember.objects.create(
        user=ayu, name="Ayu", role=CrisisRole.CRISIS_MANAGER, email=ayu.email
    )
    incident = incident_open(actor=ayu, title="Kopi basi", severity=2)
    assignment_add(incident_id=incident.pk, actor=ayu, member_id=member.pk)
    for _ in range(2):  # a retried resolution
        incident_transition(incident_id=incident.pk, actor=ayu, to_status="resolved", summary="Diganti")
    return incident


def test_resolution_opens_one_review_and_the_worker_computes_its_figures(celery_worker, resolved):
    from incidents.models import Review

    reviews = Review.objects.filter(incident=resolved)
    assert reviews.count() == 1
    review = wait_for(
        lambda: reviews.filter(outbox_state="done").first(),
        timeout=60,
        message=f"the figures (worker log: {celery_worker})",
    )
    assert review.figures["time_to_resolve_s"] is not None
    assert "time_to_resolve_s" in review.figures_method
    assert review.figures_computed_at is not None


def test_sweep_after_the_delay_surveys_customers_once_and_reminds_the_owner(
    celery_worker, resolved, committed_ayu
):
    from incidents.models import Notification, Review
    from incidents.services.reviews import review_customer_add
    from incidents.tasks.reminders import crisis_reminders_sweep_all
    from surveys.models import Invitation

    review = Review.objects.get(incident=resolved)
    review_customer_add(review_id=review.pk, actor=committed_ayu, name="Sari", email="sari@example.com")
    review_customer_add(review_id=review.pk, actor=committed_ayu, name="Joko", phone="+62 812 111")
    # The delay and the due date have passed (set directly: the test cannot wait two days).
    Review.objects.filter(pk=review.pk).update(
        survey_due_at=timezone.now() - timedelta(minutes=1), due_at=timezone.now() + timedelta(hours=1)
    )
    for _ in range(2):  # two sweeps: still one invitation each
        with schema_context("public"):
            crisis_reminders_sweep_all.delay()

    wait_for(
        lambda: Review.objects.filter(
            pk=review.pk, survey_sent_at__isnull=False, reminded_at__isnull=False
        ).exists(),
        timeout=60,
        message=f"the survey and the reminder (worker log: {celery_worker})",
    )
    wait_for(
        lambda: Invitation.objects.filter(
            incident_id=resolved.pk, email="sari@example.com", sent_at__isnull=False
        ).exists(),
        timeout=60,
        message="the survey email",
    )
    invitations = Invitation.objects.filter(incident_id=resolved.pk)
    assert sorted(i.email or i.phone for i in invitations) == ["+62 812 111", "sari@example.com"]
    assert (
        Notification.objects.filter(user=committed_ayu, subject__startswith="Review of incident").count() == 1
    )

    # Brand B sees none of it.
    from tenants.models import Brand
    from tests.helpers import BRAND_B

    with tenant_context(Brand.objects.get(slug=BRAND_B)):
        assert not Review.objects.exists()
        assert not Invitation.objects.filter(incident_id=resolved.pk).exists()
    assert connection.schema_name != "public"
