"""Helpers the crisis services share: settings row, actor labels, notifications and webhooks
through the early-warning modules (imported late so either side can load first)."""

from django.db import transaction

from incidents.models import CrisisSettings


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


def email_contacts(*, subject: str, body: str, emails: list[str]) -> None:
    """Email outside contacts (roster members without an account) by a retried task queued after
    commit: a mail server that is down must neither lose the email (the reminder is already
    claimed) nor break the sweep that is sending it."""
    from incidents.tasks.crisis import contact_email_task

    emails = sorted({e for e in emails if e})
    if not emails:
        return
    transaction.on_commit(lambda: contact_email_task.delay(subject, body, emails))
