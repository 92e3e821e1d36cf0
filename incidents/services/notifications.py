"""In-app notifications for the current brand's team, each also emailed after commit.

Recipients are read from the public grants of `connection.tenant` (public is on every brand's
search path). A notification stores its user as a reference without a database constraint or
cascade: users live and are deleted in public, where brand tables are invisible.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import connection, transaction
from django.utils import timezone

from incidents.models import Notification
from tenants import outbox
from tenants.localization import reader_context, text_render
from tenants.mail import brand_email
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


def notify_brand_team(
    *,
    subject: str | dict,
    body: str | dict,
    link: str = "",
    roles: Iterable[str] | None = None,
    users: Iterable[User] | None = None,
) -> int:
    """Create one in-app notification per recipient (team members with `roles`, default the staff
    roles, plus `users` who have a grant on this brand) and email each after commit. Returns the
    number of notifications created. `subject` and `body` may be stored texts
    (tenants.localization.stored_text): each recipient then reads them in their own language."""
    recipients = {user.pk: user for user in brand_team_users(roles=roles)}
    if users:
        extra = [u.pk for u in users if getattr(u, "pk", None)]
        if extra:
            # Only people who may enter this brand are told about it.
            granted = brand_team_users(roles=set(BrandGrant.Role.values)) if extra else []
            allowed = {u.pk: u for u in granted}
            recipients.update({pk: allowed[pk] for pk in extra if pk in allowed})
    if not recipients:
        return 0
    message = {key: value for key, value in (("subject", subject), ("body", body)) if isinstance(value, dict)}
    with reader_context(language="en"):  # the columns keep an English copy for older readers and search
        subject, body = text_render(subject)[:300], text_render(body)
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
    from incidents.tasks.early_warning import notification_email_task

    for notification_id in notification_ids:
        if not outbox.hand_over(notification_email_task, notification_id):
            return  # the broker is down: the sweep hands over the rest as well


def notification_email_send(*, notification_id) -> bool:
    """Email one notification to its user, once. The row is claimed first with a conditional
    UPDATE (committed), so a duplicate task run sends nothing; a failed send makes it pending
    again for the retry or the sweep, and failed (with the reason) after the last attempt."""
    if not outbox.claim(Notification.objects, notification_id):
        return False
    notification = Notification.objects.filter(pk=notification_id).first()
    user = User.objects.filter(pk=notification.user_id, is_active=True).first() if notification else None
    if user is None:
        outbox.release(Notification.objects, notification_id, error="no active user", permanent=True)
        return False
    # In the recipient's language and the brand's zone, from the brand (tenants.mail).
    with reader_context(user=user):
        subject, text = notification.subject_text, notification.body_text
    if notification.link:
        text = f"{text}\n\n{notification.link}"
    try:
        brand_email(subject=subject, body=text, to=[user.email]).send()
    except Exception as exc:
        outbox.release(Notification.objects, notification_id, error=f"{type(exc).__name__}: {exc}")
        raise
    outbox.with_database_retries(
        lambda: outbox.complete(Notification.objects, notification_id, emailed_at=timezone.now())
    )
    return True


def notification_emails_sweep() -> int:
    """Hand over again the notification emails the broker never got or a worker never finished."""
    from incidents.tasks.early_warning import notification_email_task

    return outbox.sweep(Notification.objects.all(), notification_email_task)


def notification_emails_retry_failed(*, notification_ids: list) -> int:
    """Try these failed notification emails again, with fresh attempts (admin action)."""
    from incidents.tasks.early_warning import notification_email_task

    return outbox.retry_failed(Notification.objects.filter(pk__in=notification_ids), notification_email_task)


@transaction.atomic
def notification_mark_read(*, notification_id, user) -> Notification:
    """Mark the user's own notification read. Safe to repeat."""
    notification = Notification.objects.select_for_update().get(pk=notification_id, user_id=user.pk)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
