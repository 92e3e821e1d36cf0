"""Signed outgoing webhooks of the current brand: subscriptions, event emission, delivery with
retries, and the signature check a receiver runs.

Signature: Standard Webhooks (tenants/webhook_signing.py, the reference library): `webhook-id`
(the delivery's id, also the body's `id`, the same on every attempt), `webhook-timestamp` (Unix
seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per
signing secret during a rotation's overlap). Delivery is at least once: a receiver that drops an id
it has already processed sees each event once (docs/api.md, "Webhooks").
"""

from __future__ import annotations

import json
import logging
import time

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from incidents.models import WebhookDelivery, WebhookSubscription
from incidents.tasks import webhooks as webhooks_tasks
from tenants import outbox
from tenants.audit import Action, audit_record, diff, snapshot
from tenants.errors import DomainError
from tenants.outbound import (
    OutboundError,
    OutboundRefused,
    outbound_request,
    receiver_url_check,
)
from tenants.webhook_signing import webhook_headers, webhook_secret_new, webhook_verify

logger = logging.getLogger(__name__)

EVENTS = (
    "alert.raised",
    "alert.updated",
    "alert.acknowledged",
    "alert.dismissed",
    "alert.resolved",
    "alert.reopened",
    "incident.opened",
    "incident.status_changed",
    "incident.merged",
    "response.approved",
    "response.withdrawn",
    "moderation.requested",
    "case.opened",
    "case.resolved",
    "review.opened",
    "review.completed",
    "content.published",
    "content.failed",
    "content.held",
    "ping",
)
# Seconds before retry n (1-based): a blip is retried soon, an outage over about two hours.
RETRY_SCHEDULE = tuple(getattr(settings, "WEBHOOK_RETRY_SCHEDULE", (2, 30, 120, 600, 1800, 3600)))
MAX_ATTEMPTS = len(RETRY_SCHEDULE) + 1
# A delivery claimed longer ago than this is taken to be from a worker that died mid-send.
CLAIM_LEASE_SECONDS = 120
TIMEOUT = (5, 10)  # connect, read
USER_AGENT = "Tanggap-Webhooks/1"


def webhook_signature_verify(*, secret: str, headers: dict[str, str], body: str | bytes) -> bool:
    """True when the Standard Webhooks headers sign `body` with `secret` and the timestamp is within
    five minutes (which refuses replays of old deliveries)."""
    try:
        webhook_verify(secret=secret, headers=headers, body=body)
    except Exception:  # noqa: BLE001 - any refusal by the reference verifier is a bad signature
        return False
    return True


# --- Subscriptions -------------------------------------------------------------------------------
def webhook_url_check(url: str) -> str:
    """The URL, stripped, when deliveries may go to it: http(s), and in production https to a host
    that resolves only to public addresses (the same check the outbound client makes per call)."""
    return receiver_url_check(url)


def webhook_events_check(events: list[str]) -> list[str]:
    events = list(dict.fromkeys(e.strip() for e in events or [] if e and e.strip()))
    if not events:
        raise DomainError(
            "Choose at least one event (or '*').", field_errors={"events": ["Choose an event."]}
        )
    unknown = [e for e in events if e != "*" and e not in EVENTS]
    if unknown:
        raise DomainError(
            f"Unknown event(s): {', '.join(unknown)}. Known: {', '.join(EVENTS)} or '*'.",
            field_errors={"events": ["Unknown event."]},
        )
    return events


# The fields of a subscription the audit trail shows before/after (never the secret).
_AUDITED = ["name", "url", "events", "is_active"]


@transaction.atomic
def webhook_subscription_create(
    *, name: str, url: str, events: list[str], created_by=None
) -> tuple[WebhookSubscription, str]:
    """Create a subscription with a fresh signing secret; returns it with the secret, which the
    caller shows once (afterwards only its first characters are shown; rotate to get a new one)."""
    name = (name or "").strip()[:100] or "Webhook"
    subscription = WebhookSubscription.objects.create(
        name=name,
        url=webhook_url_check(url),
        events=webhook_events_check(events),
        secret=webhook_secret_new(),
        created_by=created_by if getattr(created_by, "pk", None) else None,
    )
    audit_record(
        action=Action.WEBHOOK_CREATED,
        actor=created_by if getattr(created_by, "pk", None) else None,
        target=subscription,
        in_current_brand=True,
        changes={"after": snapshot(subscription, _AUDITED)},
    )
    return subscription, subscription.secret


@transaction.atomic
def webhook_subscription_update(
    *,
    subscription_id,
    name: str | None = None,
    url: str | None = None,
    events: list[str] | None = None,
    is_active: bool | None = None,
) -> WebhookSubscription:
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
    before = snapshot(subscription, _AUDITED)
    if name is not None:
        subscription.name = name.strip()[:100] or subscription.name
    if url is not None:
        subscription.url = webhook_url_check(url)
    if events is not None:
        subscription.events = webhook_events_check(events)
    if is_active is not None:
        subscription.is_active = is_active
    subscription.save()
    changes = diff(before, snapshot(subscription, _AUDITED))
    if changes:
        audit_record(
            action=Action.WEBHOOK_CHANGED, target=subscription, in_current_brand=True, changes=changes
        )
    return subscription


@transaction.atomic
def webhook_subscription_rotate_secret(
    *, subscription_id, overlap_hours: int = 24
) -> tuple[WebhookSubscription, str]:
    """Replace the signing secret. For `overlap_hours` deliveries are signed with both the new and
    the old secret, so the receiver can switch to the new one at any time in that window."""
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
    subscription.previous_secret = subscription.secret if overlap_hours > 0 else ""
    subscription.previous_secret_expires_at = (
        timezone.now() + timezone.timedelta(hours=overlap_hours) if overlap_hours > 0 else None
    )
    subscription.secret = webhook_secret_new()
    subscription.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    # The trail names the rotation, never the secret.
    audit_record(action=Action.WEBHOOK_SECRET_ROTATED, target=subscription, in_current_brand=True)
    return subscription, subscription.secret


@transaction.atomic
def webhook_subscription_delete(*, subscription_id, actor=None) -> None:
    """Delete a subscription and its delivery log; deliveries not sent yet are never sent."""
    subscription = WebhookSubscription.objects.select_for_update().filter(pk=subscription_id).first()
    if subscription is None:
        return  # already gone: a repeated DELETE changes nothing
    audit_record(
        action=Action.WEBHOOK_CHANGED,
        actor=actor if getattr(actor, "pk", None) else None,
        target=subscription,
        in_current_brand=True,
        changes={"before": snapshot(subscription, _AUDITED), "after": None},
    )
    subscription.delete()


# --- Emission ------------------------------------------------------------------------------------
def _queue(delivery_ids: list[str]) -> None:
    """Hand the deliveries to the broker; when it is down they stay pending for the sweep
    (webhook_deliveries_requeue_stuck), and the caller's request still succeeds."""
    for delivery_id in delivery_ids:
        if not outbox.hand_over(webhooks_tasks.webhook_deliver_task, delivery_id):
            return


def webhook_emit(*, event: str, payload: dict, subscription_ids: list | None = None) -> int:
    """Create one pending delivery per active subscription that wants `event` (in the current
    brand's schema) and queue them after commit. Returns how many were created."""
    # JSON-safe now, so the stored payload is exactly what is sent (dates, UUIDs as strings).
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    subscriptions = WebhookSubscription.objects.filter(is_active=True)
    if subscription_ids is not None:
        subscriptions = subscriptions.filter(pk__in=subscription_ids)
    deliveries = [
        WebhookDelivery(subscription=subscription, event=event, payload=payload)
        for subscription in subscriptions.only("id", "events")
        if subscription.wants(event) or subscription_ids is not None
    ]
    if not deliveries:
        return 0
    with transaction.atomic():
        WebhookDelivery.objects.bulk_create(deliveries)
        ids = [str(d.pk) for d in deliveries]
        transaction.on_commit(lambda: _queue(ids))
    return len(deliveries)


# --- Delivery --------------------------------------------------------------------------------------
@transaction.atomic
def _claim(delivery_id) -> bool:
    """Take the delivery for this attempt (pending, or sending under a lease that ran out) and log
    the attempt as started, in one committed transaction: a duplicate task run (or a second
    worker) finds it taken and sends nothing, and an attempt killed in flight stays visible in
    the log (marked interrupted when the next attempt starts)."""
    now = timezone.now()
    stale = now - timezone.timedelta(seconds=CLAIM_LEASE_SECONDS)
    delivery = (
        WebhookDelivery.objects.select_for_update(skip_locked=True)
        .filter(
            Q(status=WebhookDelivery.Status.PENDING)
            | Q(status=WebhookDelivery.Status.SENDING, claimed_at__lt=stale),
            pk=delivery_id,
        )
        .only("id", "attempts", "attempt_log")
        .first()
    )
    if delivery is None:
        return False
    log = list(delivery.attempt_log)
    if log and log[-1].get("state") == "started":
        log[-1] = {**log[-1], "state": "interrupted", "error": "the attempt did not finish (worker lost)"}
    attempt = delivery.attempts + 1
    log.append({"attempt": attempt, "state": "started", "at": now.isoformat()})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.SENDING, claimed_at=now, attempts=attempt, attempt_log=log
    )
    return True


def webhook_delivery_attempt(*, delivery_id) -> float | None:
    """Make one attempt at a delivery. Returns None when there is nothing more to do (sent, failed
    for good, gone, or taken by another run), else the seconds to wait before the next attempt."""
    if not _claim(delivery_id):
        return None
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    body = json.dumps(
        {
            "id": str(delivery.pk),
            "event": delivery.event,
            "created_at": delivery.created_at.isoformat(),
            "data": delivery.payload,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Tanggap-Event": delivery.event,
        **webhook_headers(
            secrets_=subscription.signing_secrets(),
            msg_id=str(delivery.pk),
            timestamp=int(time.time()),
            body=body,
        ),
    }
    started = time.monotonic()
    status_code, error = None, ""
    if not subscription.is_active:
        error = "subscription is inactive"
    else:
        try:
            # Resolved and checked again now (the host may point inside since it was saved), sent
            # to the checked address; only the status is needed, so the answer is never read, and
            # a redirect is an answer like any other non-2xx.
            response = outbound_request(
                "POST",
                subscription.url,
                data=body.encode("utf-8"),
                headers=headers,
                timeout=TIMEOUT,
                read_body=False,
            )
            status_code = response.status_code
            if not response.ok:
                error = f"HTTP {status_code}"
        except OutboundRefused as exc:
            error = f"refused: {exc}"[:500]
        except OutboundError as exc:
            error = str(exc)[:500]
    duration_ms = round((time.monotonic() - started) * 1000)
    now = timezone.now()
    succeeded = not error
    attempt = delivery.attempts
    retry_in = None
    if succeeded:
        status = WebhookDelivery.Status.SUCCEEDED
    elif attempt < MAX_ATTEMPTS and subscription.is_active:
        status = WebhookDelivery.Status.PENDING
        retry_in = RETRY_SCHEDULE[attempt - 1]
    else:
        status = WebhookDelivery.Status.FAILED
    log = list(delivery.attempt_log)
    started = log and log[-1].get("state") == "started" and log[-1].get("attempt") == attempt
    started_at = log.pop()["at"] if started else now.isoformat()
    log.append(
        {
            "attempt": attempt,
            "state": "succeeded" if succeeded else "failed",
            "at": started_at,
            "finished_at": now.isoformat(),
            "status_code": status_code,
            "error": error,
            "duration_ms": duration_ms,
        }
    )
    # Recorded through a database blip: the receiver already has it, and a lost record would
    # make the sweep send it again.
    outbox.with_database_retries(
        lambda: _record_attempt(delivery.pk, attempt, status, log, status_code, succeeded, now, retry_in)
    )
    logger.info(
        "webhook %s %s attempt %s: %s in %sms",
        delivery.event,
        delivery.pk,
        attempt,
        error or status_code,
        duration_ms,
    )
    return retry_in


def _record_attempt(pk, attempt, status, log, status_code, succeeded, now, retry_in) -> int:
    # Only this attempt's claim may be finished: a later attempt may have taken over the lease.
    return WebhookDelivery.objects.filter(
        pk=pk, status=WebhookDelivery.Status.SENDING, attempts=attempt
    ).update(
        status=status,
        attempt_log=log,
        last_status_code=status_code,
        delivered_at=now if succeeded else None,
        next_attempt_at=now + timezone.timedelta(seconds=retry_in) if retry_in else None,
    )


@transaction.atomic
def webhook_delivery_retry(*, delivery_id) -> WebhookDelivery:
    """Send a failed delivery again now (staff action). Safe to repeat: only a failed one restarts."""
    delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.status == WebhookDelivery.Status.FAILED:
        delivery.status = WebhookDelivery.Status.PENDING
        delivery.attempts = 0
        delivery.save(update_fields=["status", "attempts"])
        delivery_ids = [str(delivery.pk)]
        transaction.on_commit(lambda: _queue(delivery_ids))
    return delivery


def webhook_deliveries_requeue_stuck(*, grace_seconds: int = 300) -> int:
    """Queue again the deliveries whose next attempt is overdue by `grace_seconds` (a retry lost
    with a worker) or whose sender died mid-attempt. A duplicate is harmless: attempts claim."""
    now = timezone.now()
    overdue = now - timezone.timedelta(seconds=grace_seconds)
    stuck = WebhookDelivery.objects.filter(
        Q(status=WebhookDelivery.Status.PENDING, next_attempt_at__lt=overdue)
        | Q(status=WebhookDelivery.Status.PENDING, next_attempt_at__isnull=True, created_at__lt=overdue)
        | Q(
            status=WebhookDelivery.Status.SENDING,
            claimed_at__lt=now - timezone.timedelta(seconds=CLAIM_LEASE_SECONDS),
        )
    )
    ids = [str(pk) for pk in stuck.values_list("pk", flat=True)[:1000]]
    if ids:
        # Push the due time on, so the next tick does not queue them again before they run.
        WebhookDelivery.objects.filter(pk__in=ids, status=WebhookDelivery.Status.PENDING).update(
            next_attempt_at=now
        )
        transaction.on_commit(lambda: _queue(ids))
    return len(ids)


def webhook_ping(*, subscription_id) -> int:
    """Send a `ping` event to one subscription, to check its endpoint and signature code."""
    return webhook_emit(
        event="ping", payload={"message": "Tanggap webhook test"}, subscription_ids=[subscription_id]
    )
