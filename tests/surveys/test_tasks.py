"""Invitation emails and reminders through a REAL Celery worker on committed data. The worker is
another process, so the tests read what it recorded: sent_at / reminded_at, the email log, its log."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.surveys.conftest import invite, make_survey
from tests.worker import wait_for

pytestmark = pytest.mark.worker


def test_invitation_email_is_sent_by_the_worker_after_commit(committed_brand_a, celery_worker):
    from surveys.models import Invitation, InvitationEmail

    survey = make_survey(kinds=[{"kind": "csat", "text_en": "Satisfied?"}])
    invitation, _ = invite(survey, send_email=True, email="sari@example.com")
    sent = wait_for(
        lambda: Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).first(),
        timeout=30,
        message="the invitation email",
    )
    assert sent.reminded_at is None
    assert list(InvitationEmail.objects.filter(invitation=invitation).values_list("kind", "to")) == [
        ("invitation", "sari@example.com")
    ]
    assert "kopi.tanggap.test" in wait_for(
        lambda: "/s/" in celery_worker.read_text() and celery_worker.read_text(),
        message="the email in the worker log",
    )


def test_reminders_go_once_and_never_to_answered_or_opted_out(committed_brand_a, celery_worker):
    from surveys.models import Invitation, InvitationEmail
    from surveys.services import invitation_opt_out, response_submit
    from surveys.tasks import invitation_remind_task, survey_reminders_sweep_task

    survey = make_survey(kinds=[{"kind": "csat", "text_en": "Satisfied?"}])
    waiting, _ = invite(survey, email="waiting@example.com")
    answered, _ = invite(survey, email="answered@example.com")
    opted_out, _ = invite(survey, email="optout@example.com")
    fresh, _ = invite(survey, email="fresh@example.com")
    four_days_ago = timezone.now() - timedelta(days=4)
    Invitation.objects.filter(pk__in=[waiting.pk, answered.pk, opted_out.pk]).update(sent_at=four_days_ago)
    Invitation.objects.filter(pk=fresh.pk).update(sent_at=timezone.now())  # emailed today: not due yet
    response_submit(invitation_id=answered.pk, answers={survey.questions.get().pk: 5}, language="en")
    invitation_opt_out(invitation_id=opted_out.pk)

    with schema_context("public"):
        survey_reminders_sweep_task.delay(3)  # beat's entry point: fans out to every ready brand
    wait_for(
        lambda: Invitation.objects.filter(pk=waiting.pk, reminded_at__isnull=False).exists(),
        timeout=30,
        message="the reminder",
    )
    # A stale or duplicated queue must not reach them either: ask the worker directly.
    for invitation in (answered, opted_out, waiting):
        invitation_remind_task.delay(str(invitation.pk))
    for invitation in (answered, opted_out, waiting):
        wait_for(
            lambda pk=invitation.pk: f"survey reminder {pk}: nothing to send" in celery_worker.read_text(),
            timeout=30,
            message=f"the worker to skip {invitation.email}",
        )

    reminded = set(Invitation.objects.filter(reminded_at__isnull=False).values_list("email", flat=True))
    assert reminded == {"waiting@example.com"}
    assert list(InvitationEmail.objects.filter(kind="reminder").values_list("to", flat=True)) == [
        "waiting@example.com"
    ]
