"""Incident emails and webhooks through the outbox: notification and outside-contact emails are
recorded with the write that caused them and sent once (by the task, or by the sweep when the broker
lost them), a permanent failure is visible and retried from the admin by staff only; a webhook
attempt is in the delivery's log from the moment it starts."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.incidents.fixtures_early_warning import (  # noqa: F401 - fixtures
    allow_private_webhooks_fixture,
    webhook_server_fixture,
)

pytestmark = pytest.mark.django_db


def _broker_down(*args, **kwargs):
    from kombu.exceptions import OperationalError

    raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")


def _expire_handover(model) -> None:
    model.objects.update(outbox_lease_until=timezone.now() - timedelta(seconds=1))


def test_notification_emails_lost_by_the_broker_are_sent_by_the_sweep_once(
    in_brand_a, ayu, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from incidents.models import Notification
    from incidents.services.notifications import notification_email_send, notification_emails_sweep, notify
    from incidents.tasks import notifications as notifications_tasks

    monkeypatch.setattr(notifications_tasks.notification_email_task, "delay", _broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(subject="Lonjakan keluhan", body="Lihat") == 1
    notification = Notification.objects.get()
    assert notification.outbox_state == "pending" and mailoutbox == []
    handed = []
    monkeypatch.setattr(notifications_tasks.notification_email_task, "delay", handed.append)
    assert notification_emails_sweep() == 0  # still within the hand-over grace
    _expire_handover(Notification)
    assert notification_emails_sweep() == 1 and notification_emails_sweep() == 0
    assert handed == [str(notification.pk)]
    assert notification_email_send(notification_id=notification.pk) is True
    assert notification_email_send(notification_id=notification.pk) is False
    assert [m.to for m in mailoutbox] == [[ayu.email]]
    notification.refresh_from_db()
    assert notification.outbox_state == "done" and notification.emailed_at is not None


def test_a_notification_email_that_keeps_failing_ends_failed_with_the_reason(in_brand_a, ayu, monkeypatch):
    from django.core.mail import EmailMessage

    from incidents.models import Notification
    from incidents.services.notifications import notification_email_send, notification_emails_sweep, notify
    from tenants import outbox

    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(EmailMessage, "send", smtp_down)  # every email goes through tenants.mail
    notify(subject="Lonjakan", body="Lihat")
    pk = Notification.objects.get().pk
    for _ in range(outbox.MAX_ATTEMPTS):
        with pytest.raises(ConnectionRefusedError):
            notification_email_send(notification_id=pk)
    notification = Notification.objects.get()
    assert (
        notification.outbox_state == "failed"
        and notification.outbox_error == "ConnectionRefusedError: smtp down"
    )
    _expire_handover(Notification)
    assert notification_emails_sweep() == 0 and notification_email_send(notification_id=pk) is False


def test_contact_email_is_recorded_with_the_write_and_sent_once(
    in_brand_a, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    from incidents.models import ContactEmail
    from incidents.services.notifications import contact_email_send, contact_emails_sweep, email_contacts
    from incidents.tasks import notifications as notifications_tasks

    monkeypatch.setattr(notifications_tasks.contact_email_task, "delay", _broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        email_contacts(subject="Pengingat", body="Tugas jatuh tempo", emails=["dewi@klien.example.com"])
    email = ContactEmail.objects.get()
    assert email.outbox_state == "pending" and mailoutbox == []
    handed = []
    monkeypatch.setattr(notifications_tasks.contact_email_task, "delay", handed.append)
    _expire_handover(ContactEmail)
    assert contact_emails_sweep() == 1 and handed == [str(email.pk)]
    assert contact_email_send(contact_email_id=email.pk) is True
    assert contact_email_send(contact_email_id=email.pk) is False
    assert [m.to for m in mailoutbox] == [["dewi@klien.example.com"]]


def _failed_contact_email():
    from incidents.models import ContactEmail

    return ContactEmail.objects.create(
        subject="Pengingat",
        body="x",
        recipients=["dewi@klien.example.com"],
        outbox_state="failed",
        outbox_attempts=8,
        outbox_error="SMTPRecipientsRefused: 550 no such user",
    )


def test_staff_see_a_failed_contact_email_and_retry_it(
    client_a, ayu, in_brand_a, django_capture_on_commit_callbacks, monkeypatch
):
    from incidents.tasks import notifications as notifications_tasks

    handed = []
    monkeypatch.setattr(notifications_tasks.contact_email_task, "delay", handed.append)
    email = _failed_contact_email()
    client_a.login_as(ayu)
    listing = client_a.get("/admin/incidents/contactemail/").content.decode()
    assert "550 no such user" in listing and "retry_failed_emails" in listing
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            "/admin/incidents/contactemail/",
            {"action": "retry_failed_emails", "_selected_action": [str(email.pk)]},
        )
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.outbox_state == "pending" and email.outbox_attempts == 0 and handed == [str(email.pk)]


def test_client_viewers_and_other_brands_cannot_see_or_retry_contact_emails(
    client_a, client_b, budi, citra, brand_a, monkeypatch
):
    from django_tenants.utils import tenant_context

    from incidents.models import ContactEmail
    from incidents.tasks import notifications as notifications_tasks

    handed = []
    monkeypatch.setattr(notifications_tasks.contact_email_task, "delay", handed.append)
    with tenant_context(brand_a):
        email = _failed_contact_email()
    assert client_a.login_as(budi).get("/admin/incidents/contactemail/").status_code == 403
    client_a.post(
        "/admin/incidents/contactemail/",
        {"action": "retry_failed_emails", "_selected_action": [str(email.pk)]},
    )
    listing = client_b.login_as(citra).get("/admin/incidents/contactemail/").content.decode()
    assert "550 no such user" not in listing
    client_b.post(
        "/admin/incidents/contactemail/",
        {"action": "retry_failed_emails", "_selected_action": [str(email.pk)]},
    )
    with tenant_context(brand_a):
        assert ContactEmail.objects.get(pk=email.pk).outbox_state == "failed"
    assert handed == []


def test_a_client_viewer_cannot_retry_notification_emails(client_a, budi, in_brand_a, monkeypatch):
    from incidents.models import Notification
    from incidents.tasks import notifications as notifications_tasks

    handed = []
    monkeypatch.setattr(notifications_tasks.notification_email_task, "delay", handed.append)
    notification = Notification.objects.create(
        user_id=budi.pk, subject="x", outbox_state="failed", outbox_error="no active user"
    )
    listing = client_a.login_as(budi).get("/admin/incidents/notification/").content.decode()
    assert "no active user" in listing and "retry_failed_emails" not in listing
    client_a.post(
        "/admin/incidents/notification/",
        {"action": "retry_failed_emails", "_selected_action": [str(notification.pk)]},
    )
    assert Notification.objects.get().outbox_state == "failed" and handed == []


@pytest.mark.usefixtures("allow_private_webhooks")
def test_a_webhook_attempt_is_logged_as_started_before_the_request_goes_out(
    in_brand_a, webhook_server, monkeypatch
):
    from incidents.models import WebhookDelivery
    from incidents.services import webhooks
    from incidents.services.webhooks import (
        webhook_delivery_attempt,
        webhook_emit,
        webhook_subscription_create,
    )

    webhook_subscription_create(name="srv", url=webhook_server.url, events=["*"])
    webhook_emit(event="ping", payload={})
    delivery = WebhookDelivery.objects.get()
    seen_during_request = []
    real_request = webhooks.outbound_request

    def request(*args, **kwargs):
        seen_during_request.append(WebhookDelivery.objects.get().attempt_log)
        return real_request(*args, **kwargs)

    # The delivery's one HTTP call goes through the outbound client.
    monkeypatch.setattr(webhooks, "outbound_request", request)
    webhook_delivery_attempt(delivery_id=delivery.pk)
    [log] = seen_during_request
    assert [(a["attempt"], a["state"]) for a in log] == [(1, "started")]
    delivery.refresh_from_db()
    [entry] = delivery.attempt_log
    assert entry["state"] == "succeeded" and entry["status_code"] == 200 and entry["at"] == log[0]["at"]


@pytest.mark.usefixtures("allow_private_webhooks")
def test_an_attempt_killed_in_flight_stays_in_the_log_and_the_resend_carries_the_same_delivery_id(
    in_brand_a, webhook_server
):
    from incidents.models import WebhookDelivery
    from incidents.services.webhooks import (
        CLAIM_LEASE_SECONDS,
        _claim,
        webhook_deliveries_requeue_stuck,
        webhook_delivery_attempt,
        webhook_emit,
        webhook_subscription_create,
    )

    webhook_subscription_create(name="srv", url=webhook_server.url, events=["*"])
    webhook_emit(event="ping", payload={})
    delivery = WebhookDelivery.objects.get()
    assert _claim(delivery.pk)  # a worker starts the attempt and is killed
    assert webhook_delivery_attempt(delivery_id=delivery.pk) is None  # its lease still holds
    assert webhook_server.requests == []
    WebhookDelivery.objects.update(claimed_at=timezone.now() - timedelta(seconds=CLAIM_LEASE_SECONDS + 1))
    assert webhook_deliveries_requeue_stuck() == 1
    webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert [(a["attempt"], a["state"]) for a in delivery.attempt_log] == [
        (1, "interrupted"),
        (2, "succeeded"),
    ]
    assert delivery.status == "succeeded"
    [request] = webhook_server.requests
    # Standard Webhooks: `webhook-id` is the delivery's id, the same on every attempt of one event.
    assert request.header("webhook-id") == str(delivery.pk) == json.loads(request.body)["id"]
