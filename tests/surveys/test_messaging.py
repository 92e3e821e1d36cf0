"""The brand's messaging channel: customers of a post-crisis survey who gave only a phone get their
personal link as a signed JSON message posted to the brand's WhatsApp/SMS provider, once, retried,
failed with the reason; without a channel they are marked unreachable; brand B's provider never
sees brand A's customers; only the roles that set the brand up see the channel's page."""

import json
import uuid
from urllib.parse import urlsplit

import pytest
from django.test import TestCase
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.incidents.fixtures_early_warning import allow_private_webhooks_fixture  # noqa: F401
from tests.surveys.conftest import make_survey
from tests.webhook_server import WebhookServer, webhook_server_fixture  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_private_webhooks")]


@pytest.fixture
def handed(monkeypatch):
    """The delivery tasks handed to the broker, by id (nothing is published)."""
    from surveys import tasks

    sent = []
    monkeypatch.setattr(tasks.invitation_send_task, "delay", lambda pk: sent.append(pk))
    monkeypatch.setattr(tasks.invitations_send_task, "delay", lambda ids, reminder: sent.extend(ids))
    return sent


def _channel(url, *, enabled=True):
    from surveys.services import messaging_channel_update

    channel, secret = messaging_channel_update(kind="whatsapp", url=url, enabled=enabled)
    return channel, secret


def _incident_survey(*recipients, incident_id=None):
    from surveys.services.invitations import survey_send_for_incident

    with TestCase.captureOnCommitCallbacks(execute=True):  # the hand-over follows the commit
        return survey_send_for_incident(
            incident_id=incident_id or uuid.uuid4(), brand_name="Kopi Nusantara", recipients=list(recipients)
        )


def _verified(request, secret) -> dict:
    from tenants.webhook_signing import webhook_verify

    headers = {n: request.header(n) for n in ("webhook-id", "webhook-timestamp", "webhook-signature")}
    return webhook_verify(secret=secret, headers=headers, body=request.body)


def test_phone_only_customer_gets_a_signed_message_whose_link_opens_the_survey(
    in_brand_a, handed, webhook_server, client_a
):
    from surveys.services import invitation_send

    _, secret = _channel(webhook_server.url)
    assert secret.startswith("whsec_")
    [invitation] = _incident_survey({"name": "Rina", "phone": "+62 811 222", "language": "en"})
    assert invitation.outbox_state == "pending" and handed == [str(invitation.pk)]
    assert invitation_send(invitation_id=invitation.pk) is True
    [request] = webhook_server.wait_for_requests(1)
    body = _verified(request, secret)
    assert request.header("webhook-id") == body["id"] == str(invitation.pk)
    assert body["type"] == "survey.invitation" and body["to"] == "+62 811 222"
    assert body["channel"] == "whatsapp" and body["brand"]["slug"] == "kopi"
    assert body["link"] in body["text"] and body["opt_out_link"] in body["text"]
    assert "Hello Rina," in body["text"] and body["language"] == "en"
    with pytest.raises(Exception):  # noqa: B017, PT011 - any refusal by the reference verifier
        _verified(request, "whsec_" + "A" * 44)
    page = client_a.get(urlsplit(body["link"]).path)
    assert page.status_code == 200 and "Kopi Nusantara" in page.content.decode()
    invitation.refresh_from_db()
    assert invitation.outbox_state == "done" and invitation.sent_at is not None


def test_the_message_is_in_the_customers_language(in_brand_a, handed, webhook_server):
    from surveys.services import invitation_send

    _, secret = _channel(webhook_server.url)
    [invitation] = _incident_survey({"name": "Rina", "phone": "0811", "language": "id"})
    invitation_send(invitation_id=invitation.pk)
    body = _verified(webhook_server.wait_for_requests(1)[0], secret)
    assert body["language"] == "id"
    assert body["text"].startswith("Halo Rina,")
    assert "Berhenti menerima pesan tentang survei ini:" in body["text"]


def test_without_a_channel_the_customer_is_marked_unreachable_with_the_reason(in_brand_a, handed):
    from surveys.models import Invitation
    from surveys.services import invitation_send
    from surveys.services.invitations import invitation_unreachable

    phone_only, emailed = _incident_survey({"phone": "+62 811"}, {"email": "sari@example.com"})
    assert invitation_unreachable(phone_only) and not invitation_unreachable(emailed)
    stored = Invitation.objects.get(pk=phone_only.pk)
    assert stored.outbox_state == "failed" and "no messaging channel" in stored.outbox_error
    assert handed == [str(emailed.pk)]  # nothing is queued for someone who cannot be reached
    assert invitation_send(invitation_id=phone_only.pk) is False


def test_a_disabled_channel_fails_a_queued_message_with_the_reason(in_brand_a, handed, webhook_server):
    from surveys.models import Invitation
    from surveys.services import invitation_send

    _channel(webhook_server.url)
    [invitation] = _incident_survey({"phone": "+62 811"})
    _channel(webhook_server.url, enabled=False)  # switched off before the worker got to it
    assert invitation_send(invitation_id=invitation.pk) is False
    stored = Invitation.objects.get(pk=invitation.pk)
    assert stored.outbox_state == "failed" and "no messaging channel" in stored.outbox_error
    assert webhook_server.requests == []


def test_a_message_queued_twice_is_sent_once(in_brand_a, handed, webhook_server):
    from surveys.services import invitation_send

    _channel(webhook_server.url)
    [invitation] = _incident_survey({"phone": "+62 811"})
    assert [invitation_send(invitation_id=invitation.pk) for _ in range(2)] == [True, False]
    assert len(webhook_server.requests) == 1


def test_a_provider_error_is_retried_then_failed_with_the_reason_after_the_last_attempt(
    in_brand_a, handed, webhook_server
):
    from surveys.models import Invitation
    from surveys.services import invitation_emails_retry_failed, invitation_emails_sweep, invitation_send
    from surveys.services.messaging import MessageNotSent
    from tenants import outbox

    _channel(webhook_server.url)
    webhook_server.respond_with(*[503] * outbox.MAX_ATTEMPTS, then=200)
    [invitation] = _incident_survey({"phone": "+62 811"})
    with pytest.raises(MessageNotSent):  # the task's autoretry takes it from here
        invitation_send(invitation_id=invitation.pk)
    stored = Invitation.objects.get(pk=invitation.pk)
    assert (stored.outbox_state, stored.outbox_error) == ("pending", "HTTP 503 from the provider")
    # The sweep hands it over again once its lease is gone; the last attempt fails it for good.
    Invitation.objects.filter(pk=invitation.pk).update(
        outbox_lease_until=timezone.now(), outbox_attempts=outbox.MAX_ATTEMPTS - 1
    )
    handed.clear()
    assert invitation_emails_sweep() == 1 and handed == [str(invitation.pk)]
    with pytest.raises(MessageNotSent):
        invitation_send(invitation_id=invitation.pk)
    stored.refresh_from_db()
    assert stored.outbox_state == "failed" and stored.outbox_error == "HTTP 503 from the provider"
    assert invitation_emails_sweep() == 0 and invitation_send(invitation_id=invitation.pk) is False
    # Staff retry it after fixing the provider; it goes with the same message id.
    webhook_server.respond_with(then=200)
    assert invitation_emails_retry_failed(invitation_ids=[invitation.pk]) == 1
    assert invitation_send(invitation_id=invitation.pk) is True
    ids = {r.header("webhook-id") for r in webhook_server.requests}
    assert ids == {str(invitation.pk)} and len(webhook_server.requests) == 3


def test_a_provider_refusal_fails_at_once(in_brand_a, handed, webhook_server):
    from surveys.models import Invitation
    from surveys.services import invitation_send

    _channel(webhook_server.url)
    webhook_server.respond_with(422)
    [invitation] = _incident_survey({"phone": "+62 811"})
    assert invitation_send(invitation_id=invitation.pk) is False
    stored = Invitation.objects.get(pk=invitation.pk)
    assert (stored.outbox_state, stored.outbox_error) == ("failed", "HTTP 422 from the provider")


def test_the_reminder_of_a_phone_only_customer_goes_through_the_channel_once(
    in_brand_a, handed, webhook_server
):
    from datetime import timedelta

    from surveys.selectors import invitations_due_for_reminder
    from surveys.services import invitation_remind, invitation_send

    _, secret = _channel(webhook_server.url)
    [invitation] = _incident_survey({"phone": "+62 811", "language": "id"})
    invitation_send(invitation_id=invitation.pk)
    due = invitations_due_for_reminder(after=timedelta(0))
    assert list(due.values_list("pk", flat=True)) == [invitation.pk]
    assert [invitation_remind(invitation_id=invitation.pk) for _ in range(2)] == [True, False]
    first, reminder = webhook_server.wait_for_requests(2)
    body = _verified(reminder, secret)
    assert body["type"] == "survey.reminder" and body["id"] == f"{invitation.pk}-reminder"
    assert body["link"] != _verified(first, secret)["link"] and len(webhook_server.requests) == 2


def test_a_reminder_without_a_channel_fails_at_once_with_the_reason(in_brand_a, handed, webhook_server):
    from surveys.models import Invitation
    from surveys.services import invitation_remind, invitation_send

    _channel(webhook_server.url)
    [invitation] = _incident_survey({"phone": "+62 811"})
    invitation_send(invitation_id=invitation.pk)
    _channel(webhook_server.url, enabled=False)
    assert invitation_remind(invitation_id=invitation.pk) is False
    stored = Invitation.objects.get(pk=invitation.pk)
    assert stored.reminded_at is None and stored.reminder_failed_at is not None
    assert "no messaging channel" in stored.reminder_error


def test_brand_b_provider_never_receives_brand_a_customers(brand_a, brand_b, handed, webhook_server):
    from surveys.models import Invitation
    from surveys.services import invitation_send

    other = WebhookServer().start()
    try:
        with tenant_context(brand_b):
            _, secret_b = _channel(other.url)
        with tenant_context(brand_a):
            _channel(webhook_server.url)
            [invitation] = _incident_survey({"phone": "+62 811"})
            invitation_send(invitation_id=invitation.pk)
        with tenant_context(brand_b):
            assert not Invitation.objects.filter(pk=invitation.pk).exists()
            assert invitation_send(invitation_id=invitation.pk) is False  # not B's to send
        webhook_server.wait_for_requests(1)
        assert other.requests == []
        assert json.loads(webhook_server.requests[0].body)["brand"]["slug"] == "kopi"
    finally:
        other.stop()


def test_private_provider_urls_are_refused_in_production(in_brand_a, settings):
    from surveys.models import MessagingChannel
    from surveys.services import messaging_channel_update
    from tenants.errors import DomainError

    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    for url in ("http://127.0.0.1:9/hook", "https://127.0.0.1/hook", "https://10.0.0.5/hook"):
        with pytest.raises(DomainError) as refused:
            messaging_channel_update(kind="sms", url=url, enabled=True)
        assert "url" in refused.value.field_errors
    with pytest.raises(DomainError) as refused:
        messaging_channel_update(kind="sms", url="", enabled=True)
    assert refused.value.field_errors == {"url": ["Required."]}
    assert not MessagingChannel.objects.filter(enabled=True).exists()


def test_rotation_signs_with_both_secrets_during_the_overlap(in_brand_a, handed, webhook_server):
    from surveys.services import invitation_send, messaging_channel_rotate_secret

    _, old = _channel(webhook_server.url)
    _, new = messaging_channel_rotate_secret()
    assert new != old
    [invitation] = _incident_survey({"phone": "+62 811"})
    invitation_send(invitation_id=invitation.pk)
    [request] = webhook_server.wait_for_requests(1)
    assert _verified(request, old) and _verified(request, new)


# --- The admin page ------------------------------------------------------------------------------
def _form(url, **extra):
    return {"kind": "sms", "url": url, "enabled": "on", **extra}


def test_crisis_manager_sets_up_the_channel_and_sees_the_secret_once(
    client_a, ayu, in_brand_a, webhook_server
):
    from surveys.models import MessagingChannel

    client_a.login_as(ayu)
    listing = client_a.get("/admin/surveys/messagingchannel/")
    assert listing.status_code == 302 and listing["Location"].endswith(
        "/admin/surveys/messagingchannel/1/change/"
    )
    assert client_a.get("/admin/surveys/messagingchannel/1/change/").status_code == 200
    saved = client_a.post("/admin/surveys/messagingchannel/1/change/", _form(webhook_server.url), follow=True)
    channel = MessagingChannel.objects.get()
    assert channel.enabled and channel.kind == "sms" and channel.url == webhook_server.url
    assert channel.secret in saved.content.decode()  # shown once ...
    again = client_a.get("/admin/surveys/messagingchannel/1/change/").content.decode()
    assert channel.secret not in again and channel.secret[:10] in again  # ... then only its start
    rotated = client_a.post(
        "/admin/surveys/messagingchannel/1/change/",
        _form(webhook_server.url, rotate_secret="on"),
        follow=True,
    )
    channel.refresh_from_db()
    assert channel.secret in rotated.content.decode() and channel.previous_secret


def test_the_admin_form_refuses_a_private_url_in_production(client_a, ayu, in_brand_a, settings):
    from surveys.models import MessagingChannel

    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False
    client_a.login_as(ayu)
    response = client_a.post("/admin/surveys/messagingchannel/1/change/", _form("https://127.0.0.1/hook"))
    assert response.status_code == 200 and "public address" in response.content.decode()
    assert not MessagingChannel.objects.filter(enabled=True).exists()


def test_roles_without_the_right_cannot_see_or_change_the_channel(client_a, budi, citra, in_brand_a):
    from surveys.models import MessagingChannel
    from tenants.models import BrandGrant, User
    from tenants.services import grant_set

    User.objects.create_user("sosmed@example.com", "x" * 20, name="Sosmed")
    grant_set(email="sosmed@example.com", brand_slug="kopi", role=BrandGrant.Role.SOCIAL_MEDIA_SPECIALIST)
    specialist = User.objects.get(email="sosmed@example.com")
    for user in (budi, specialist, citra):  # a client viewer, staff without the right, brand B's staff
        client_a.login_as(user)
        assert client_a.get("/admin/surveys/messagingchannel/").status_code == 403
        assert client_a.get("/admin/surveys/messagingchannel/1/change/").status_code == 403
        posted = client_a.post("/admin/surveys/messagingchannel/1/change/", _form("https://example.com/h"))
        assert posted.status_code == 403
        assert "messagingchannel" not in client_a.get("/admin/").content.decode()
    assert not MessagingChannel.objects.filter(enabled=True).exists()


def test_send_now_on_a_phone_only_invitation_of_the_invitations_api_uses_the_channel(
    in_brand_a, handed, webhook_server
):
    from surveys.services import invitation_create, invitation_send

    _channel(webhook_server.url)
    survey = make_survey()
    invitation, _link = invitation_create(survey_id=survey.pk, email="", phone="0811")
    assert invitation.outbox_state == ""  # not sent by itself: the link was in the answer
    assert invitation_send(invitation_id=invitation.pk) is True  # the list's "send now"
    assert json.loads(webhook_server.wait_for_requests(1)[0].body)["to"] == "0811"
