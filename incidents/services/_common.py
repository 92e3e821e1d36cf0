"""Helpers the crisis services share: settings row, actor labels, notifications and webhooks
through the early-warning modules (imported late so either side can load first)."""

from django.utils import timezone

from incidents.models import ContactEmail, CrisisSettings
from tenants import outbox
from tenants.localization import reader_context, text_render
from tenants.mail import brand_email


def crisis_settings_get(*, for_update: bool = False) -> CrisisSettings:
    """The brand's crisis settings row, created on first use. With `for_update` it is locked,
    which is how incident numbers are allocated one at a time."""
    # ON CONFLICT DO NOTHING: two first uses at once both end with the same single row.
    CrisisSettings.objects.bulk_create([CrisisSettings(id=1)], ignore_conflicts=True)
    queryset = CrisisSettings.objects.select_for_update() if for_update else CrisisSettings.objects
    return queryset.get(pk=1)


def actor_label(actor, fallback: str = "system") -> str:
    if actor is None:
        return fallback
    return actor.get_full_name() if hasattr(actor, "get_full_name") else str(actor)


def notify(*, subject: str, body: str, link: str = "", roles=None, users=None) -> int:
    """Tell people in-app and by email (the email goes after commit). With only `users`, only
    they are told; with `roles`, everyone on the brand holding one of them."""
    from incidents.notifications import notify_brand_team

    if users is not None and roles is None:
        roles = ()  # notify_brand_team would otherwise add every staff member
    return notify_brand_team(subject=subject, body=body, link=link, roles=roles, users=users)


def webhook_emit(*, event: str, payload: dict) -> None:
    """Queue a signed webhook delivery to the brand's subscriptions (sent after commit)."""
    from incidents.webhooks import webhook_event_emit

    webhook_event_emit(event=event, payload=payload)


def email_contacts(*, subject: str | dict, body: str | dict, emails: list[str]) -> ContactEmail | None:
    """Email outside contacts (roster members without an account): the email is recorded in the
    caller's transaction and sent by a retried task after commit, so a mail server, broker or
    worker that is down delays it (the outbox sweep hands it over again) and never loses it, and
    the sweep that decided to send it is not broken by it."""
    from incidents.tasks.crisis import contact_email_task

    emails = sorted({e for e in emails if e})
    if not emails:
        return None
    with reader_context():  # outside contacts read the brand's language and zone
        subject, body = text_render(subject), text_render(body)
    email = ContactEmail.objects.create(
        subject=subject[:300], body=body, recipients=emails, **outbox.pending_fields()
    )
    outbox.hand_over_on_commit(contact_email_task, str(email.pk))
    return email


def contact_email_send(*, contact_email_id) -> bool:
    """Send one recorded contact email, once (claimed like every outbox item). Returns whether
    this call sent it."""
    if not outbox.claim(ContactEmail.objects, contact_email_id):
        return False
    email = ContactEmail.objects.get(pk=contact_email_id)
    try:
        brand_email(subject=email.subject, body=email.body, to=email.recipients).send()
    except Exception as exc:
        outbox.release(ContactEmail.objects, contact_email_id, error=f"{type(exc).__name__}: {exc}")
        raise
    outbox.with_database_retries(
        lambda: outbox.complete(ContactEmail.objects, contact_email_id, sent_at=timezone.now())
    )
    return True


def contact_emails_sweep() -> int:
    """Hand over again the contact emails the broker never got or a worker never finished."""
    from incidents.tasks.crisis import contact_email_task

    return outbox.sweep(ContactEmail.objects.all(), contact_email_task)


def contact_emails_retry_failed(*, contact_email_ids: list) -> int:
    """Try these failed contact emails again, with fresh attempts (admin action)."""
    from incidents.tasks.crisis import contact_email_task

    return outbox.retry_failed(ContactEmail.objects.filter(pk__in=contact_email_ids), contact_email_task)
