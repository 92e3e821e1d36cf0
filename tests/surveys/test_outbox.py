"""Invitation emails through the outbox: recorded pending in the creating transaction, claimed once,
handed over again by the sweep when the broker or a worker lost them, failed for good with the
reason after the last attempt, and retried from the admin by staff only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.surveys.conftest import invite, make_survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def handed(monkeypatch):
    """The invitation tasks the code hands to the broker, by id (nothing is published)."""
    from surveys import tasks

    sent = []
    monkeypatch.setattr(tasks.invitation_send_task, "delay", lambda pk: sent.append(pk))
    monkeypatch.setattr(tasks.invitations_send_task, "delay", lambda ids, reminder: sent.extend(ids))
    return sent


def _broker_down(*args, **kwargs):
    from kombu.exceptions import OperationalError

    raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")


def test_an_invitation_with_an_email_is_recorded_pending_in_the_creating_transaction(in_brand_a, handed):
    survey = make_survey()
    emailed, _ = invite(survey, send_email=True, email="a@example.com")
    phone_only, _ = invite(survey, send_email=True, email="", phone="+62 812")
    not_requested, _ = invite(survey, send_email=False, email="b@example.com")
    for inv in (emailed, phone_only, not_requested):
        inv.refresh_from_db()
    assert emailed.outbox_state == "pending" and emailed.outbox_lease_until > timezone.now()
    assert phone_only.outbox_state == "" and not_requested.outbox_state == ""


def test_emails_the_broker_never_got_are_sent_by_the_sweep_once(
    in_brand_a, django_capture_on_commit_callbacks, monkeypatch, mailoutbox
):
    from surveys import tasks
    from surveys.models import Invitation
    from surveys.services import invitation_emails_sweep, invitation_send

    monkeypatch.setattr(tasks.invitations_send_task, "delay", _broker_down)
    survey = make_survey()
    with django_capture_on_commit_callbacks(execute=True):
        created = [invite(survey, send_email=True, email=f"p{i}@example.com")[0] for i in range(3)]
    assert mailoutbox == [] and Invitation.objects.filter(outbox_state="pending").count() == 3
    # Within the hand-over grace the sweep leaves them to the queue.
    handed = []
    monkeypatch.setattr(tasks.invitation_send_task, "delay", lambda pk: handed.append(pk))
    assert invitation_emails_sweep() == 0
    Invitation.objects.update(outbox_lease_until=timezone.now() - timedelta(seconds=1))
    assert invitation_emails_sweep() == 3
    assert invitation_emails_sweep() == 0  # a second sweep hands nothing over again
    assert sorted(handed) == sorted(str(inv.pk) for inv in created)
    for pk in handed + handed:  # a duplicated task sends nothing twice
        invitation_send(invitation_id=pk)
    assert sorted(m.to[0] for m in mailoutbox) == ["p0@example.com", "p1@example.com", "p2@example.com"]
    assert set(Invitation.objects.values_list("outbox_state", flat=True)) == {"done"}


def test_an_email_whose_worker_died_is_sent_again_after_its_lease(in_brand_a, handed, mailoutbox):
    from surveys.models import Invitation
    from surveys.services import invitation_emails_sweep, invitation_send
    from tenants import outbox

    survey = make_survey()
    invitation, _ = invite(survey, send_email=True)
    # A worker claimed it and was killed before sending.
    assert outbox.claim(Invitation.objects, invitation.pk)
    assert invitation_send(invitation_id=invitation.pk) is False  # the lease still holds
    assert invitation_emails_sweep() == 0
    Invitation.objects.filter(pk=invitation.pk).update(
        outbox_lease_until=timezone.now() - timedelta(seconds=1)
    )
    handed.clear()
    assert invitation_emails_sweep() == 1 and handed == [str(invitation.pk)]
    assert invitation_send(invitation_id=invitation.pk) is True
    invitation.refresh_from_db()
    assert invitation.outbox_state == "done" and invitation.outbox_attempts == 2 and invitation.sent_at
    assert len(mailoutbox) == 1


def test_a_failing_send_is_pending_again_then_failed_with_the_reason_after_the_last_attempt(
    in_brand_a, handed, monkeypatch
):
    from django.core.mail import EmailMessage

    from surveys.models import Invitation
    from surveys.services import invitation_emails_sweep, invitation_send
    from tenants import outbox

    def smtp_down(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMessage, "send", smtp_down)
    invitation, _ = invite(make_survey(), send_email=True)
    with pytest.raises(ConnectionRefusedError):
        invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.outbox_state == "pending" and "smtp down" in invitation.outbox_error
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        with pytest.raises(ConnectionRefusedError):
            invitation_send(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.outbox_state == "failed" and invitation.outbox_attempts == outbox.MAX_ATTEMPTS
    assert invitation.outbox_error == "ConnectionRefusedError: smtp down" and invitation.sent_at is None
    # Failed for good: neither a late task nor the sweep tries it again.
    assert invitation_send(invitation_id=invitation.pk) is False
    Invitation.objects.update(outbox_lease_until=None)
    assert invitation_emails_sweep() == 0


def test_email_tasks_retry_database_and_broker_errors_with_backoff_and_a_cap():
    from django.db import InterfaceError, OperationalError
    from kombu.exceptions import OperationalError as BrokerError

    from surveys import tasks

    for task in (tasks.invitation_send_task, tasks.invitation_remind_task, tasks.invitations_send_task):
        assert {OperationalError, InterfaceError, BrokerError, OSError} <= set(task.autoretry_for)
        assert task.retry_backoff and task.max_retries and task.max_retries <= 10


def _fail_for_good(invitation):
    from surveys.models import Invitation

    Invitation.objects.filter(pk=invitation.pk).update(
        outbox_state="failed", outbox_attempts=8, outbox_error="SMTPRecipientsRefused: 550"
    )


def test_staff_retry_a_failed_email_from_the_admin(
    client_a, ayu, in_brand_a, handed, django_capture_on_commit_callbacks
):
    from surveys.models import Invitation

    survey = make_survey()
    failed, _ = invite(survey, email="gagal@example.com")
    sent, _ = invite(survey, email="ok@example.com")
    _fail_for_good(failed)
    Invitation.objects.filter(pk=sent.pk).update(outbox_state="done", sent_at=timezone.now())
    listing = (
        client_a.login_as(ayu).get("/admin/surveys/invitation/?outbox_state__exact=failed").content.decode()
    )
    assert "SMTPRecipientsRefused: 550" in listing and "retry_failed_emails" in listing
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            "/admin/surveys/invitation/",
            {"action": "retry_failed_emails", "_selected_action": [str(failed.pk), str(sent.pk)]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.outbox_state == "pending" and failed.outbox_attempts == 0 and failed.outbox_error == ""
    assert handed == [str(failed.pk)]  # the sent one is left alone
    assert Invitation.objects.get(pk=sent.pk).outbox_state == "done"


def test_a_client_viewer_cannot_retry_or_send(client_a, budi, in_brand_a, handed):
    from surveys.models import Invitation

    failed, _ = invite(make_survey())
    _fail_for_good(failed)
    client_a.login_as(budi)
    assert "retry_failed_emails" not in client_a.get("/admin/surveys/invitation/").content.decode()
    for action in ("retry_failed_emails", "send_now", "remind_now"):
        # The action is not offered: Django answers the form again (or 403) and runs nothing.
        client_a.post("/admin/surveys/invitation/", {"action": action, "_selected_action": [str(failed.pk)]})
    assert Invitation.objects.get(pk=failed.pk).outbox_state == "failed" and handed == []


def test_brand_b_staff_cannot_see_or_retry_brand_a_failed_emails(client_b, citra, brand_a, handed):
    from django_tenants.utils import tenant_context

    from surveys.models import Invitation

    with tenant_context(brand_a):
        failed, _ = invite(make_survey())
        _fail_for_good(failed)
    client_b.login_as(citra)
    assert "SMTPRecipientsRefused" not in client_b.get("/admin/surveys/invitation/").content.decode()
    client_b.post(
        "/admin/surveys/invitation/", {"action": "retry_failed_emails", "_selected_action": [str(failed.pk)]}
    )
    with tenant_context(brand_a):
        assert Invitation.objects.get(pk=failed.pk).outbox_state == "failed"
    assert handed == []


def test_a_reminder_that_keeps_failing_ends_failed_with_the_reason_and_staff_retry_it(
    client_a, ayu, in_brand_a, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    from django.core.mail import EmailMessage

    from surveys import tasks
    from surveys.models import Invitation
    from surveys.selectors import invitations_due_for_reminder
    from surveys.services import invitation_remind, invitation_send
    from tenants import outbox

    invitation, _ = invite(make_survey())
    invitation_send(invitation_id=invitation.pk)
    real_send = EmailMessage.send

    def smtp_refuses(self, *args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMessage, "send", smtp_refuses)
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        with pytest.raises(ConnectionRefusedError):
            invitation_remind(invitation_id=invitation.pk)
    assert invitations_due_for_reminder(after=timedelta(0)).filter(pk=invitation.pk).exists()
    with pytest.raises(ConnectionRefusedError):
        invitation_remind(invitation_id=invitation.pk)
    invitation.refresh_from_db()
    assert invitation.reminded_at is None and invitation.reminder_failed_at is not None
    assert invitation.reminder_error == "ConnectionRefusedError: smtp down"
    # Failed for good: the periodic check no longer picks it, a late task sends nothing.
    assert not invitations_due_for_reminder(after=timedelta(0)).filter(pk=invitation.pk).exists()
    monkeypatch.setattr(EmailMessage, "send", real_send)
    assert invitation_remind(invitation_id=invitation.pk) is False
    handed = []
    monkeypatch.setattr(tasks.invitation_remind_task, "delay", handed.append)
    with django_capture_on_commit_callbacks(execute=True):
        client_a.login_as(ayu).post(
            "/admin/surveys/invitation/",
            {"action": "retry_failed_emails", "_selected_action": [str(invitation.pk)]},
        )
    assert handed == [str(invitation.pk)]
    assert invitation_remind(invitation_id=invitation.pk) is True
    assert Invitation.objects.get(pk=invitation.pk).reminder_error == ""
    assert [m.to for m in mailoutbox] == [["sari@example.com"], ["sari@example.com"]]


def test_the_api_shows_each_invitation_email_state_and_error(client_a, api_key_a, in_brand_a, handed):
    from tests.helpers import bearer

    survey = make_survey()
    pending, _ = invite(survey, send_email=True, email="p@example.com")
    failed, _ = invite(survey, email="f@example.com")
    _fail_for_good(failed)
    body = client_a.get(f"/api/v1/surveys/{survey.pk}/invitations/", **bearer(api_key_a)).json()
    by_email = {row["email"]: row for row in body["results"]}
    assert by_email["p@example.com"]["email_state"] == "pending"
    assert by_email["f@example.com"]["email_state"] == "failed"
    assert by_email["f@example.com"]["email_error"] == "SMTPRecipientsRefused: 550"
