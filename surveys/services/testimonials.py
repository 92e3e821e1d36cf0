"""Reviewing testimonial candidates."""

from uuid import UUID

from django.db import transaction
from django.utils import timezone

from surveys.models import (
    TestimonialCandidate,
)
from tenants.errors import DomainError


@transaction.atomic
def testimonial_review(*, candidate_id: UUID, decision: str, actor, note: str = "") -> TestimonialCandidate:
    """Approve or reject a candidate. Repeating the same decision changes nothing; staff may
    change their mind (approved → rejected) and the last review is kept."""
    statuses = {
        "approve": TestimonialCandidate.Status.APPROVED,
        "reject": TestimonialCandidate.Status.REJECTED,
    }
    if decision not in statuses:
        raise DomainError(
            "Decision must be approve or reject.", field_errors={"decision": ["approve or reject"]}
        )
    candidate = TestimonialCandidate.objects.select_for_update().filter(pk=candidate_id).first()
    if candidate is None:
        raise DomainError("No such testimonial candidate.")
    if candidate.status == statuses[decision]:
        return candidate
    candidate.status = statuses[decision]
    candidate.reviewed_at = timezone.now()
    candidate.reviewed_by_id = getattr(actor, "pk", None)
    candidate.reviewed_by_email = getattr(actor, "email", "") or ""
    candidate.review_note = (note or "").strip()[:500]
    candidate.save(
        update_fields=["status", "reviewed_at", "reviewed_by_id", "reviewed_by_email", "review_note"]
    )
    return candidate
