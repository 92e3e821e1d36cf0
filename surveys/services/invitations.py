"""Invitations and their links, their delivery (claim, then send; at most one invitation and one
reminder each) by email, or through the brand's messaging channel for those with only a phone,
and opting out."""

import logging
from datetime import timedelta
from typing import Any
from uuid import UUID

from django.core.mail import EmailMessage
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from surveys.models import (
    Invitation,
    InvitationEmail,
    InvitationLink,
    Survey,
)
from surveys.services.building import survey_create_from_template
from surveys.services.messaging import (
    INVITATION,
    NO_CHANNEL,
    REMINDER,
    MessageNotSent,
    invitation_message_post,
    messaging_channel_ready,
)
from surveys.tokens import brand_base_url, token_new
from tenants import outbox
from tenants.contacts import contact_errors
from tenants.errors import DomainError
from tenants.localization import reader_context
from tenants.mail import brand_email, outbox_email_send

logger = logging.getLogger(__name__)

INVITATION_TTL_DAYS = 14
BATCH_LIMIT = 1000
# The column's length: validate_email accepts longer addresses, which the INSERT would refuse.
_EMAIL_MAX_LENGTH = Invitation._meta.get_field("email").max_length


def _clean_recipient(row: dict, index: int, errors: dict) -> dict | None:
    def err(field: str, message: str) -> None:
        errors.setdefault(f"invitations[{index}].{field}", []).append(message)

    name = str(row.get("name") or "").strip()
    email = str(row.get("email") or "").strip().lower()
    phone = str(row.get("phone") or "").strip()
    language = str(row.get("language") or "").strip().lower()
    mention_author = str(row.get("mention_author") or "").strip()
    incident_id = row.get("incident_id") or None
    for field, message in contact_errors(
        email=email, phone=phone, language=language, email_max_length=_EMAIL_MAX_LENGTH
    ).items():
        err(field, message)
    if incident_id is not None and not isinstance(incident_id, UUID):
        try:
            incident_id = UUID(str(incident_id))
        except ValueError:
            err("incident_id", "Must be a UUID.")
    if len(name) > 200 or len(mention_author) > 200 or len(phone) > 32:
        err("name", "Too long.")
    if any("\x00" in value for value in (name, email, phone, mention_author)):
        err("name", "Plain text only (no NUL characters).")
    return {
        "name": name,
        "email": email,
        "phone": phone,
        "language": language,
        "incident_id": incident_id,
        "mention_author": mention_author,
    }


@transaction.atomic
def invitation_create_batch(
    *,
    survey_id: UUID,
    recipients: list[dict],
    expires_in_days: int = INVITATION_TTL_DAYS,
    send_email: bool = True,
    send_message: bool = False,
) -> list[tuple[Invitation, str]]:
    """Invitations for an open survey, all or none, each with its link (returned here once, never
    stored). Emails go out after commit, one task per invitation that has an address. With
    `send_message`, those with only a phone get the link through the brand's messaging channel,
    the same way; without a channel they are failed at once with the reason, for staff to see."""
    survey = Survey.objects.filter(pk=survey_id).first()
    if survey is None:
        raise DomainError("No such survey.", field_errors={"survey": ["No such survey."]})
    if survey.status != Survey.Status.OPEN:
        raise DomainError("Open the survey before inviting people to it.")
    if not recipients:
        raise DomainError("Give at least one recipient.", field_errors={"invitations": ["Empty list."]})
    if len(recipients) > BATCH_LIMIT:
        raise DomainError(f"At most {BATCH_LIMIT} invitations per batch.")
    if not 1 <= int(expires_in_days) <= 365:
        raise DomainError("Links expire after 1 to 365 days.", field_errors={"expires_in_days": ["1–365."]})
    errors: dict[str, list[str]] = {}
    rows = [_clean_recipient(row, i, errors) for i, row in enumerate(recipients)]
    if errors:
        raise DomainError("Some recipients are invalid; nothing was created.", field_errors=errors)
    now = timezone.now()
    expires_at = now + timedelta(days=int(expires_in_days))
    # The email is recorded as pending in this transaction: if the broker never gets the task,
    # the outbox sweep still sends it.
    channel_ready = send_message and messaging_channel_ready() is not None

    def delivery(row: dict) -> dict:
        if send_email and row["email"]:
            return outbox.pending_fields(now)
        if send_message and not row["email"] and row["phone"]:
            if channel_ready:
                return outbox.pending_fields(now)
            return {"outbox_state": outbox.OutboxItem.State.FAILED, "outbox_error": NO_CHANNEL}
        return {}

    invitations = Invitation.objects.bulk_create(
        Invitation(survey=survey, expires_at=expires_at, **delivery(row), **row) for row in rows
    )
    tokens = [token_new() for _ in invitations]
    InvitationLink.objects.bulk_create(
        InvitationLink(invitation=inv, token_hash=hashed)
        for inv, (_raw, hashed) in zip(invitations, tokens, strict=True)
    )
    if send_email or send_message:
        invitation_emails_queue(
            invitation_ids=[
                inv.pk for inv in invitations if inv.outbox_state == outbox.OutboxItem.State.PENDING
            ]
        )
    return [(inv, raw) for inv, (raw, _hashed) in zip(invitations, tokens, strict=True)]


def invitation_emails_queue(*, invitation_ids: list[UUID], reminder: bool = False) -> None:
    """Request the invitation emails (or, with `reminder`, the reminders) of these invitations and
    queue them after commit with ONE broker message (the worker fans it out). Invitation emails
    not yet sent are marked pending in the caller's transaction, so a broker failure (logged,
    never raised: the links, shown once, must still reach the caller) only delays them until the
    outbox sweep; reminders are found again by the periodic reminder check. invitation_send and
    invitation_remind claim each row, so queuing twice sends nothing twice."""
    ids = [str(pk) for pk in invitation_ids]
    if not ids:
        return
    if not reminder:
        # A failed one is left to the admin's explicit retry, which starts its attempts afresh.
        Invitation.objects.filter(
            pk__in=ids, sent_at__isnull=True, outbox_state=outbox.OutboxItem.State.NONE
        ).exclude(email="").update(**outbox.pending_fields())

    def queue() -> None:
        from surveys.tasks import invitations_send_task

        try:
            invitations_send_task.delay(ids, reminder=reminder)
        except Exception:  # noqa: BLE001 - any broker failure: the rows keep the work for the sweep
            logger.exception("Could not queue %d survey invitation emails", len(ids))

    transaction.on_commit(queue)


def invitation_create(
    *,
    survey_id: UUID,
    send_email: bool = True,
    send_message: bool = False,
    expires_in_days: int = INVITATION_TTL_DAYS,
    **recipient: Any,
) -> tuple[Invitation, str]:
    """One invitation and its link (shown once)."""
    return invitation_create_batch(
        survey_id=survey_id,
        recipients=[recipient],
        expires_in_days=expires_in_days,
        send_email=send_email,
        send_message=send_message,
    )[0]


def _invitation_email(invitation: Invitation, *, kind: str) -> EmailMessage:
    """Mint a fresh link for this email and build it, in the invitation's (or brand's) language."""
    raw, hashed = token_new()
    InvitationLink.objects.create(invitation=invitation, token_hash=hashed, purpose=kind)
    brand = connection.tenant
    base = brand_base_url(brand)
    language = invitation.language or getattr(brand, "default_language", "") or "en"
    with reader_context(brand=brand, language=language):
        context = {
            "brand_name": getattr(brand, "name", ""),
            "name": invitation.name,
            "survey_title": invitation.survey.title,
            "link": f"{base}/s/{raw}/",
            "opt_out_link": f"{base}/s/{raw}/opt-out/",
            "expires_at": invitation.expires_at,
            "reminder": kind == InvitationEmail.Kind.REMINDER,
        }
        subject = render_to_string("surveys/email/invitation_subject.txt", context).strip()
        body = render_to_string("surveys/email/invitation_body.txt", context)
    # List-Unsubscribe lets mail clients offer the opt-out page (which still asks for a click).
    return brand_email(
        subject=subject,
        body=body,
        to=[invitation.email],
        brand=brand,
        headers={"List-Unsubscribe": f"<{context['opt_out_link']}>"},
    )


def _record_invitation_sent(invitation_id: UUID) -> int:
    with transaction.atomic():
        invitation = Invitation.objects.get(pk=invitation_id)
        InvitationEmail.objects.get_or_create(
            invitation=invitation, kind=InvitationEmail.Kind.INVITATION, defaults={"to": invitation.email}
        )
        return outbox.complete(Invitation.objects, invitation_id, sent_at=timezone.now())


def _claimable(qs, now):
    """Invitations that may still be sent to: someone to reach (an email, or a phone for the
    messaging channel), no answer, no opt-out, not expired, on an open survey."""
    return qs.filter(
        answered_at__isnull=True,
        opted_out_at__isnull=True,
        expires_at__gt=now,
        survey__status=Survey.Status.OPEN,
    ).exclude(email="", phone="")


def _by_message(invitation_id) -> bool:
    row = Invitation.objects.filter(pk=invitation_id).values("email", "phone").first()
    return row is not None and not row["email"] and bool(row["phone"])


def invitation_send(*, invitation_id: UUID) -> bool:
    """Email the invitation once. The row is claimed first with a conditional UPDATE (pending, or
    a lease a dead worker left behind), committed, so a duplicate task finds nothing to do; the
    send is recorded right after it went. A failed send makes the row pending again for the
    task's retry or the sweep, and failed (with the reason) after the last attempt
    (tenants.mail.outbox_email_send). An invitation with only a phone goes through the messaging
    channel instead, the same way (invitation_message_send)."""
    if _by_message(invitation_id):
        return invitation_message_send(invitation_id=invitation_id)
    pending = _claimable(Invitation.objects.filter(sent_at__isnull=True), timezone.now()).exclude(email="")
    return outbox_email_send(
        pending,
        invitation_id,
        message=lambda: _invitation_email(
            Invitation.objects.select_related("survey").get(pk=invitation_id),
            kind=InvitationEmail.Kind.INVITATION,
        ),
        record=lambda: _record_invitation_sent(invitation_id),
    )


def invitation_message_send(*, invitation_id: UUID) -> bool:
    """Post the invitation to the brand's messaging channel once: claimed like an email (a
    duplicate task finds it taken), recorded sent right after the provider took it. No channel, a
    refused address or a provider's refusal fails it at once with the reason; anything else makes
    it pending again for the task's retry (MessageNotSent is raised) or the sweep, failed after
    the last attempt. Returns whether this call sent it."""
    pending = _claimable(Invitation.objects.filter(sent_at__isnull=True), timezone.now()).filter(email="")
    if not outbox.claim(pending, invitation_id):
        return False
    rows = Invitation.objects
    channel = messaging_channel_ready()
    if channel is None:
        outbox.release(rows, invitation_id, error=NO_CHANNEL, permanent=True)
        return False
    try:
        invitation = Invitation.objects.select_related("survey").get(pk=invitation_id)
        invitation_message_post(invitation, event=INVITATION, channel=channel)
    except MessageNotSent as exc:
        outbox.release(rows, invitation_id, error=str(exc), permanent=exc.permanent)
        if exc.permanent:
            return False
        raise
    except Exception as exc:
        outbox.release(rows, invitation_id, error=f"{type(exc).__name__}: {exc}")
        raise
    outbox.with_database_retries(lambda: outbox.complete(rows, invitation_id, sent_at=timezone.now()))
    return True


def invitation_emails_sweep() -> int:
    """Hand over again the invitation emails (and messages) of this brand that the broker never got
    or whose worker died (the outbox sweep). Returns how many."""
    from surveys.tasks import invitation_send_task

    pending = _claimable(Invitation.objects.filter(sent_at__isnull=True), timezone.now())
    return outbox.sweep(pending, invitation_send_task)


def invitation_emails_retry_failed(*, invitation_ids: list[UUID]) -> int:
    """Try the failed invitation emails and reminders among these again, with fresh attempts
    (admin action). Returns how many emails were queued again."""
    from surveys.tasks import invitation_remind_task, invitation_send_task

    count = outbox.retry_failed(Invitation.objects.filter(pk__in=invitation_ids), invitation_send_task)
    with transaction.atomic():
        reminders = list(
            Invitation.objects.select_for_update()
            .filter(pk__in=invitation_ids, reminder_failed_at__isnull=False, reminded_at__isnull=True)
            .values_list("pk", flat=True)
        )
        Invitation.objects.filter(pk__in=reminders).update(
            reminder_failed_at=None, reminder_attempts=0, reminder_error=""
        )
        for pk in reminders:
            outbox.hand_over_on_commit(invitation_remind_task, str(pk))
    return count + len(reminders)


def invitation_remind(*, invitation_id: UUID) -> bool:
    """Send the one reminder, only to someone who was sent the invitation (by email, or by message
    to a phone), has not answered and has not opted out. Claimed in the sending transaction, so it
    is sent at most once; a failed send rolls the claim back (the periodic check finds it again)
    and is counted, and after the last attempt, or at once when nothing will change (no channel, a
    provider's refusal), the reminder is failed for good with the reason."""
    try:
        with transaction.atomic():
            now = timezone.now()
            claimed = _claimable(
                Invitation.objects.filter(
                    pk=invitation_id,
                    sent_at__isnull=False,
                    reminded_at__isnull=True,
                    reminder_failed_at__isnull=True,
                ),
                now,
            ).update(reminded_at=now, reminder_error="")  # rolled back with a failed send
            if not claimed:
                return False
            invitation = Invitation.objects.select_related("survey").get(pk=invitation_id)
            if not invitation.email:
                channel = messaging_channel_ready()
                if channel is None:
                    raise MessageNotSent(NO_CHANNEL, permanent=True)
                invitation_message_post(invitation, event=REMINDER, channel=channel)
                return True
            _invitation_email(invitation, kind=InvitationEmail.Kind.REMINDER).send()
            InvitationEmail.objects.create(
                invitation=invitation, kind=InvitationEmail.Kind.REMINDER, to=invitation.email
            )
            return True
    except (OperationalError, InterfaceError):
        raise  # nothing to record while the database is away; the task retries
    except MessageNotSent as exc:
        _reminder_attempt_failed(invitation_id, str(exc), permanent=exc.permanent)
        if exc.permanent:
            return False
        raise
    except Exception as exc:
        _reminder_attempt_failed(invitation_id, f"{type(exc).__name__}: {exc}")
        raise


def _reminder_attempt_failed(invitation_id: UUID, error: str, *, permanent: bool = False) -> None:
    Invitation.objects.filter(pk=invitation_id).update(
        reminder_attempts=F("reminder_attempts") + 1, reminder_error=error[:500]
    )
    failed = Invitation.objects.filter(pk=invitation_id, reminded_at__isnull=True)
    if not permanent:
        failed = failed.filter(reminder_attempts__gte=outbox.MAX_ATTEMPTS)
    failed.update(reminder_failed_at=timezone.now())


@transaction.atomic
def invitation_opt_out(*, invitation_id: UUID) -> Invitation:
    """No more emails for this invitation. Safe to repeat."""
    Invitation.objects.filter(pk=invitation_id, opted_out_at__isnull=True).update(opted_out_at=timezone.now())
    return Invitation.objects.get(pk=invitation_id)


POST_CRISIS_TEMPLATE = "post_crisis"


@transaction.atomic
def survey_send_for_incident(
    *, incident_id: UUID, brand_name: str, recipients: list[dict]
) -> list[Invitation]:
    """The one service a post-crisis review (incidents) calls: invite the incident's affected
    customers to the brand's post-crisis survey (made from the template and opened on first
    use). Nobody is invited twice for one incident (same email or phone), and anyone who opted
    out of a survey before is left out. Returns the new invitations; emails (and, for those with
    only a phone, messages through the brand's messaging channel) go after commit. Those the
    brand cannot reach come back failed, with the reason (see invitation_unreachable)."""
    survey = (
        Survey.objects.select_for_update()
        .filter(template=POST_CRISIS_TEMPLATE, status=Survey.Status.OPEN)
        .order_by("created_at")
        .first()
    )
    if survey is None:
        survey = survey_create_from_template(
            template=POST_CRISIS_TEMPLATE, brand_name=brand_name, open_now=True
        )
    invited = Invitation.objects.filter(incident_id=incident_id)
    opted_out = Invitation.objects.filter(opted_out_at__isnull=False)
    taken_emails = set(invited.exclude(email="").values_list("email", flat=True)) | set(
        opted_out.exclude(email="").values_list("email", flat=True)
    )
    taken_phones = set(invited.exclude(phone="").values_list("phone", flat=True)) | set(
        opted_out.exclude(phone="").values_list("phone", flat=True)
    )
    rows = []
    for row in recipients:
        email = str(row.get("email") or "").strip().lower()
        phone = str(row.get("phone") or "").strip()
        if (email and email in taken_emails) or (phone and phone in taken_phones) or not (email or phone):
            continue
        if email:
            taken_emails.add(email)
        if phone:
            taken_phones.add(phone)
        rows.append({**row, "email": email, "phone": phone, "incident_id": incident_id})
    if not rows:
        return []
    created = invitation_create_batch(survey_id=survey.pk, recipients=rows, send_message=True)
    return [invitation for invitation, _raw in created]


def invitation_unreachable(invitation: Invitation) -> bool:
    """Whether nothing can be sent to this new invitation (only a phone, and no messaging channel)."""
    return invitation.outbox_state == outbox.OutboxItem.State.FAILED
