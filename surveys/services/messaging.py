"""The brand's messaging channel (the webhook of its WhatsApp or SMS provider) and the survey
messages posted to it for customers who gave only a phone: one JSON body per invitation or
reminder, signed with Standard Webhooks like every outgoing webhook (docs/surveys.md, "Messaging
channel"). Delivery itself (claim once, retry, fail with the reason) is the invitation outbox's."""

from __future__ import annotations

import json
import time
from datetime import timedelta

from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from surveys.models import Invitation, InvitationLink, MessagingChannel
from surveys.tokens import brand_base_url, token_new
from tenants.audit import Action, audit_record, diff, snapshot
from tenants.errors import DomainError
from tenants.localization import reader_context
from tenants.outbound import (
    OutboundError,
    OutboundRefused,
    OutboundUnresolved,
    outbound_request,
    receiver_url_check,
)
from tenants.webhook_signing import webhook_headers, webhook_secret_new

# Stored on the invitation for staff (as every delivery error is): why nothing was sent.
NO_CHANNEL = (
    "Not sent: the customer gave only a phone and the brand has no messaging channel enabled "
    "(Surveys → Messaging channel). Set one up, then retry the invitation."
)
TIMEOUT = (5, 10)  # connect, read
USER_AGENT = "Tanggap-Messaging/1"
INVITATION, REMINDER = "survey.invitation", "survey.reminder"
_AUDITED = ["kind", "url", "enabled"]


class MessageNotSent(OutboundError):
    """The provider did not take the message. `permanent`: retrying will not help (refused address,
    a 4xx other than 408/429), so the invitation is failed at once with the reason."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


# --- The channel ---------------------------------------------------------------------------------
def messaging_channel_get() -> MessagingChannel:
    """The brand's channel row, made (disabled, empty) on first use."""
    # ON CONFLICT DO NOTHING: two first uses at once both end with the same single row.
    MessagingChannel.objects.bulk_create([MessagingChannel(id=1)], ignore_conflicts=True)
    return MessagingChannel.objects.get(pk=1)


def messaging_channel_ready() -> MessagingChannel | None:
    """The channel when messages may be posted to it now (enabled, with a URL and a secret)."""
    channel = MessagingChannel.objects.filter(pk=1).first()
    return channel if channel is not None and channel.ready else None


@transaction.atomic
def messaging_channel_update(
    *, actor=None, kind: str, url: str, enabled: bool
) -> tuple[MessagingChannel, str | None]:
    """Set the channel. The first time it gets a URL it gets a signing secret, returned here once
    for the caller to show (afterwards only its first characters are shown; rotate for a new one).
    Enabling needs a URL; in production an https URL on a public address."""
    messaging_channel_get()
    channel = MessagingChannel.objects.select_for_update().get(pk=1)
    if kind not in MessagingChannel.Kind.values:
        raise DomainError("Choose WhatsApp or SMS.", field_errors={"kind": ["Unknown kind."]})
    url = (url or "").strip()
    if url:
        url = receiver_url_check(url, what="Provider URLs", host="provider")
    elif enabled:
        raise DomainError(
            "Give the provider's webhook URL to enable the channel.", field_errors={"url": ["Required."]}
        )
    before = snapshot(channel, _AUDITED)
    channel.kind, channel.url, channel.enabled = kind, url, bool(enabled)
    new_secret = None
    if url and not channel.secret:
        channel.secret = new_secret = webhook_secret_new()
    channel.save()
    changes = diff(before, snapshot(channel, _AUDITED))
    if changes:
        audit_record(
            action=Action.WEBHOOK_CHANGED,
            actor=actor if getattr(actor, "pk", None) else None,
            target=channel,
            in_current_brand=True,
            changes=changes,
        )
    return channel, new_secret


@transaction.atomic
def messaging_channel_rotate_secret(*, actor=None, overlap_hours: int = 24) -> tuple[MessagingChannel, str]:
    """A new signing secret. For `overlap_hours` messages are signed with both the new and the old
    one, so the provider side can switch at any time in that window."""
    messaging_channel_get()
    channel = MessagingChannel.objects.select_for_update().get(pk=1)
    keep_old = overlap_hours > 0 and bool(channel.secret)
    channel.previous_secret = channel.secret if keep_old else ""
    channel.previous_secret_expires_at = timezone.now() + timedelta(hours=overlap_hours) if keep_old else None
    channel.secret = webhook_secret_new()
    channel.save()
    # The trail names the rotation, never the secret.
    audit_record(
        action=Action.WEBHOOK_SECRET_ROTATED,
        actor=actor if getattr(actor, "pk", None) else None,
        target=channel,
        in_current_brand=True,
    )
    return channel, channel.secret


# --- The message ---------------------------------------------------------------------------------
def message_id(invitation_id, event: str) -> str:
    """The message's `webhook-id` (and body `id`): the same on every attempt, so the provider's
    side drops a repeat; one for the invitation and one for its reminder."""
    return f"{invitation_id}" if event == INVITATION else f"{invitation_id}-reminder"


def invitation_message_body(invitation: Invitation, *, event: str) -> dict:
    """The body for one invitation or reminder, in the invitation's (else the brand's) language,
    with a personal link minted for this message (only its hash is kept)."""
    raw, hashed = token_new()
    purpose = "message" if event == INVITATION else "message_reminder"
    InvitationLink.objects.create(invitation=invitation, token_hash=hashed, purpose=purpose)
    brand = connection.tenant
    base = brand_base_url(brand)
    language = invitation.language or getattr(brand, "default_language", "") or "en"
    link, opt_out_link = f"{base}/s/{raw}/", f"{base}/s/{raw}/opt-out/"
    with reader_context(brand=brand, language=language):
        text = render_to_string(
            "surveys/message/invitation.txt",
            {
                "brand_name": getattr(brand, "name", ""),
                "name": invitation.name,
                "survey_title": invitation.survey.title,
                "link": link,
                "opt_out_link": opt_out_link,
                "expires_at": invitation.expires_at,
                "reminder": event == REMINDER,
            },
        ).strip()
    return {
        "id": message_id(invitation.pk, event),
        "type": event,
        "created_at": timezone.now().isoformat(),
        "to": invitation.phone,
        "name": invitation.name,
        "language": language,
        "text": text,
        "link": link,
        "opt_out_link": opt_out_link,
        "expires_at": invitation.expires_at.isoformat(),
        "invitation": str(invitation.pk),
        "brand": {"slug": getattr(brand, "slug", ""), "name": getattr(brand, "name", "")},
    }


def invitation_message_post(invitation: Invitation, *, event: str, channel: MessagingChannel) -> None:
    """Post one message to the channel; raises MessageNotSent (permanent or not) when the provider
    did not take it with a 2xx."""
    payload = invitation_message_body(invitation, event=event)
    payload["channel"] = channel.kind
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Tanggap-Event": event,
        **webhook_headers(
            secrets_=channel.signing_secrets(), msg_id=payload["id"], timestamp=int(time.time()), body=body
        ),
    }
    try:
        # Resolved and checked again now (the host may point inside since it was saved), and sent to
        # the checked address; only the status matters.
        response = outbound_request(
            "POST", channel.url, data=body.encode("utf-8"), headers=headers, timeout=TIMEOUT, read_body=False
        )
    except OutboundUnresolved as exc:
        raise MessageNotSent(f"{exc}") from exc  # DNS may come back
    except OutboundRefused as exc:
        raise MessageNotSent(f"refused: {exc}", permanent=True) from exc
    except OutboundError as exc:
        raise MessageNotSent(str(exc)) from exc
    if not response.ok:
        # The provider read the message and refused it (a bad number, a bad signature): sending the
        # same again will not change its mind. A timeout, rate limit or server error may pass.
        permanent = 400 <= response.status_code < 500 and response.status_code not in (408, 425, 429)
        raise MessageNotSent(f"HTTP {response.status_code} from the provider", permanent=permanent)
