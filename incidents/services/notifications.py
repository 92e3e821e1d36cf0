"""Telling people: in-app notifications for the current brand's team, each also emailed after
commit, and emails to outside contacts (roster members without an account). Every email is recorded
by its row and sent once by a task (tenants.mail.outbox_email_send); the outbox sweep hands over
what the broker never got. Every link is absolute on the brand's host (`Brand.url`).

Recipients are read from the public grants of `connection.tenant` (public is on every brand's
search path). A notification stores its user as a reference without a database constraint or
cascade: users live and are deleted in public, where brand tables are invisible.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from incidents.models import ContactEmail, Notification
from incidents.tasks import notifications as notifications_tasks
from tenants import outbox
from tenants.localization import reader_context, text_render
from tenants.mail import brand_email, outbox_email_send
from tenants.models import AgencyMembership, BrandGrant, User

logger = logging.getLogger(__name__)

_AGENCY_ROLE_FOR = {
    AgencyMembership.Role.OWNER: BrandGrant.Role.AGENCY_OWNER,
    AgencyMembership.Role.ADMIN: BrandGrant.Role.AGENCY_ADMIN,
}


def brand_team_users(*, roles: Iterable[str] | None = None) -> list[User]:
    """Active users whose grant on the current brand (or agency membership) has one of `roles`
    (default: the staff roles)."""
    roles = set(roles) if roles is not None else set(BrandGrant.STAFF_ROLES)
    brand = connection.tenant
    user_ids = set(
        BrandGrant.objects.filter(brand_id=brand.pk, role__in=roles).values_list("user_id", flat=True)
    )
    agency_roles = [m for m, role in _AGENCY_ROLE_FOR.items() if role in roles]
    if agency_roles and getattr(brand, "agency_id", None):
        user_ids |= set(
            AgencyMembership.objects.filter(agency_id=brand.agency_id, role__in=agency_roles).values_list(
                "user_id", flat=True
            )
        )
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def notify(
    *,
    subject: str | dict,
    body: str | dict,
    link: str = "",
    roles: Iterable[str] | None = None,
    users: Iterable[User] | None = None,
) -> int:
    """Tell people in the app and by email (the email goes after commit): the team members holding
    one of `roles`, plus `users` who have a grant on this brand. With neither, the staff roles; with
    only `users`, only they. `link` is a path on the brand's host (or an absolute URL), stored and
    emailed absolute. `subject` and `body` may be stored texts (tenants.localization.stored_text):
    each recipient then reads them in their own language. Returns how many were told."""
    if roles is None:
        roles = () if users is not None else BrandGrant.STAFF_ROLES
    recipients = {user.pk: user for user in brand_team_users(roles=roles)} if roles else {}
    if users:
        extra = [u.pk for u in users if getattr(u, "pk", None)]
        if extra:
            # Only people who may enter this brand are told about it.
            allowed = {u.pk: u for u in brand_team_users(roles=set(BrandGrant.Role.values))}
            recipients.update({pk: allowed[pk] for pk in extra if pk in allowed})
    if not recipients:
        return 0
    message = {key: value for key, value in (("subject", subject), ("body", body)) if isinstance(value, dict)}
    with reader_context(language="en"):  # the columns keep an English copy for older readers and search
        subject, body = text_render(subject)[:300], text_render(body)
    link = connection.tenant.url(link) if link.startswith("/") else link
    # Each email is recorded as pending with its notification: the sweep sends it if the broker
    # never gets the task.
    notifications = [
        Notification(
            user_id=pk,
            subject=subject,
            body=body,
            message=message,
            link=link[:500],
            **outbox.pending_fields(),
        )
        for pk in sorted(recipients)
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(notifications)
        ids = [str(n.pk) for n in notifications]
        transaction.on_commit(lambda: _queue_emails(ids))
    return len(notifications)


def _queue_emails(notification_ids: list[str]) -> None:
    for notification_id in notification_ids:
        if not outbox.hand_over(notifications_tasks.notification_email_task, notification_id):
            return  # the broker is down: the sweep hands over the rest as well


def notification_email_send(*, notification_id) -> bool:
    """Email one notification to its user, once (tenants.mail.outbox_email_send); a user gone or
    deactivated meanwhile fails it for good. Returns whether this call sent it."""

    def message():
        notification = Notification.objects.filter(pk=notification_id).first()
        user = User.objects.filter(pk=notification.user_id, is_active=True).first() if notification else None
        if user is None:
            return "no active user"
        # In the recipient's language and the brand's zone, from the brand (tenants.mail).
        with reader_context(user=user):
            subject, text = notification.subject_text, notification.body_text
        if notification.link:
            text = f"{text}\n\n{notification.link}"
        return brand_email(subject=subject, body=text, to=[user.email])

    return outbox_email_send(
        Notification.objects,
        notification_id,
        message=message,
        record=lambda: outbox.complete(Notification.objects, notification_id, emailed_at=timezone.now()),
    )


def notification_emails_sweep() -> int:
    """Hand over again the notification emails the broker never got or a worker never finished."""
    return outbox.sweep(Notification.objects.all(), notifications_tasks.notification_email_task)


def notification_emails_retry_failed(*, notification_ids: list) -> int:
    """Try these failed notification emails again, with fresh attempts (admin action)."""
    return outbox.retry_failed(
        Notification.objects.filter(pk__in=notification_ids), notifications_tasks.notification_email_task
    )


@transaction.atomic
def notification_mark_read(*, notification_id, user) -> Notification:
    """Mark the user's own notification read. Safe to repeat."""
    notification = Notification.objects.select_for_update().get(pk=notification_id, user_id=user.pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


# --- Outside contacts ------------------------------------------------------------------------
def email_contacts(*, subject: str | dict, body: str | dict, emails: list[str]) -> ContactEmail | None:
    """Email outside contacts (roster members without an account): the email is recorded in the
    caller's transaction and sent by a retried task after commit, so a mail server, broker or
    worker that is down delays it (the outbox sweep hands it over again) and never loses it, and
    the sweep that decided to send it is not broken by it."""
    emails = sorted({e for e in emails if e})
    if not emails:
        return None
    with reader_context():  # outside contacts read the brand's language and zone
        subject, body = text_render(subject), text_render(body)
    email = ContactEmail.objects.create(
        subject=subject[:300], body=body, recipients=emails, **outbox.pending_fields()
    )
    outbox.hand_over_on_commit(notifications_tasks.contact_email_task, str(email.pk))
    return email


def contact_email_send(*, contact_email_id) -> bool:
    """Send one recorded contact email, once (tenants.mail.outbox_email_send). Returns whether
    this call sent it."""

    def message():
        email = ContactEmail.objects.get(pk=contact_email_id)
        return brand_email(subject=email.subject, body=email.body, to=email.recipients)

    return outbox_email_send(
        ContactEmail.objects,
        contact_email_id,
        message=message,
        record=lambda: outbox.complete(ContactEmail.objects, contact_email_id, sent_at=timezone.now()),
    )


def contact_emails_sweep() -> int:
    """Hand over again the contact emails the broker never got or a worker never finished."""
    return outbox.sweep(ContactEmail.objects.all(), notifications_tasks.contact_email_task)


def contact_emails_retry_failed(*, contact_email_ids: list) -> int:
    """Try these failed contact emails again, with fresh attempts (admin action)."""
    return outbox.retry_failed(
        ContactEmail.objects.filter(pk__in=contact_email_ids), notifications_tasks.contact_email_task
    )
