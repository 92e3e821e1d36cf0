"""The brand's nightly retention run (brand schema): raw mentions past `mentions_months`, and the
customers' personal data in care cases and survey invitations past `personal_data_months` after
they closed; then the brand's shared-schema rules (audit events, exports). One `retention.applied`
event on the brand's trail counts what went. Figures and rollups are never touched, so reports
keep working; a second run the same night finds nothing to remove."""

from datetime import datetime

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from incidents.models import (
    CareCaseMention,
    CareContact,
    IncidentMention,
    Mention,
    ModerationAction,
    Response,
)
from incidents.services.care import care_cases_erase_closed_before
from surveys.services.erasure import invitations_erase_older_than
from tenants.audit import Action, audit_record
from tenants.retention import cutoff, retention_apply_public, retention_policy_get

BATCH = 2000


def _mentions_expire(*, before: datetime) -> tuple[int, int]:
    """Delete mentions posted before `before`; those an incident, a care case, a reply or a
    moderation decision points at are kept for that history, emptied of text, name and URL. A
    drill's simulated posts expire like real ones (the default manager hides them)."""
    old = Mention.all_objects.filter(posted_at__lt=before)
    referenced = (
        Q(Exists(IncidentMention.objects.filter(mention=OuterRef("pk"))))
        | Q(Exists(CareCaseMention.objects.filter(mention=OuterRef("pk"))))
        | Q(Exists(CareContact.objects.filter(mention=OuterRef("pk"))))
        | Q(Exists(Response.objects.filter(mention=OuterRef("pk"))))
        | Q(Exists(ModerationAction.objects.filter(mention=OuterRef("pk"))))
    )
    deleted = 0
    while ids := list(old.exclude(referenced).values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic():
            deleted += Mention.all_objects.filter(pk__in=ids).delete()[1].get(Mention._meta.label, 0)
    emptied = (
        old.filter(referenced)
        .exclude(text="", author_name="", url="")
        .update(text="", author_name="", url="")
    )
    return deleted, emptied


def retention_apply(*, now: datetime | None = None) -> dict[str, int]:
    """Apply the current brand's retention rules. Returns what was removed, by kind."""
    now = now or timezone.now()
    brand = connection.tenant
    policy = retention_policy_get(brand=brand)
    mentions, emptied = _mentions_expire(before=cutoff(now, months=policy.mentions_months))
    personal_before = cutoff(now, months=policy.personal_data_months)
    removed = {
        "mentions": mentions,
        "mentions_emptied": emptied,
        "care_cases_erased": care_cases_erase_closed_before(before=personal_before),
        "invitations_erased": invitations_erase_older_than(before=personal_before),
        **retention_apply_public(brand=brand, now=now),
    }
    if any(removed.values()):  # a night with nothing to remove leaves no event
        audit_record(action=Action.RETENTION_APPLIED, brand=brand, target=policy, changes=removed)
    return removed
