"""Erasing a person from the brand's surveys: what another app asks when a customer's personal data
must go (a care case's erasure request, the brand's retention rule). The survey rows stay, emptied
of the person, so counts and scores (CSAT, NPS, CES) keep working."""

from collections.abc import Iterable
from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from surveys.models import Answer, Invitation, InvitationEmail, InvitationLink, TestimonialCandidate
from tenants.outbox import OutboxItem


def _erase(invitations: QuerySet[Invitation], *, now: datetime) -> int:
    ids = list(invitations.select_for_update().filter(erased_at__isnull=True).values_list("pk", flat=True))
    if not ids:
        return 0
    Invitation.objects.filter(pk__in=ids).update(
        name="",
        email="",
        phone="",
        mention_author="",
        erased_at=now,
        # An email not yet sent has nobody to go to any more; the sweep must not pick it up.
        outbox_state=OutboxItem.State.NONE,
        outbox_lease_until=None,
        outbox_error="",
        reminder_error="",
    )
    InvitationLink.objects.filter(invitation_id__in=ids).delete()  # the personal links stop working
    InvitationEmail.objects.filter(invitation_id__in=ids).update(to="")
    # Free text may name the person; numbers and chosen options are kept for the scores.
    Answer.objects.filter(response__invitation_id__in=ids).exclude(text="").update(text="")
    TestimonialCandidate.objects.filter(response__invitation_id__in=ids).update(
        author_name="", quote="", status=TestimonialCandidate.Status.REJECTED
    )
    return len(ids)


@transaction.atomic
def invitations_erase_person(
    *,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    mention_author: str = "",
    invitation_ids: Iterable[UUID] = (),
) -> int:
    """Erase one person from every invitation of the brand that names them (by any of their emails
    or phones, their public handle, or the invitations another app made for them): name, email,
    phone and handle, their personal links, the addresses the emails went to, their free-text
    answers and testimonial quote. Returns how many invitations were erased now; a repeat erases
    nothing twice."""
    emails = {e.strip().lower() for e in emails if e and e.strip()}
    phones = {p.strip() for p in phones if p and p.strip()}
    person = Q(pk__in=list(invitation_ids))
    for email in emails:
        person |= Q(email__iexact=email)
    if phones:
        person |= Q(phone__in=phones)
    if mention_author.strip():
        person |= Q(mention_author=mention_author.strip())
    return _erase(Invitation.objects.filter(person), now=timezone.now())


@transaction.atomic
def invitations_erase_older_than(*, before: datetime) -> int:
    """The brand's retention rule: erase the people of invitations that ended (answered, opted
    out or expired) before `before`. Returns how many were erased now."""
    ended = (
        Q(answered_at__lt=before) | Q(opted_out_at__lt=before) | Q(expires_at__lt=before, answered_at=None)
    )
    return _erase(Invitation.objects.filter(ended), now=timezone.now())
