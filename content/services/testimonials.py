"""Testimonial drafts from surveys: an approved candidate (the respondent consented to be quoted)
becomes a testimonial item with the quote, the name as the respondent chose with their consent
(first name, initials or anonymous) and the survey reference. A testimonial without consent on record is never scheduled
or published."""

from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from content.models import ContentItem, HistoryEntry
from content.permissions import require_content_action
from content.services.history import history_record
from content.testimonial_source import approved_testimonial_get
from tenants.errors import DomainError

ATTRIBUTIONS = ("first_name", "initials", "anonymous")
ATTRIBUTION_LABELS = {
    "first_name": _lazy("their first name"),
    "initials": _lazy("their initials"),
    "anonymous": _lazy("no name (anonymous)"),
}


def attribution_text(author_name: str, attribution: str) -> str:
    parts = (author_name or "").split()
    if attribution == "first_name" and parts:
        return parts[0]
    if attribution == "initials" and parts:
        return "".join(f"{p[0].upper()}." for p in parts[:3])
    return _("a customer")


@transaction.atomic
def testimonial_draft_create(*, candidate_id: UUID, actor, attribution: str | None = None) -> ContentItem:
    """Make (once) the testimonial draft of an approved candidate, naming the customer exactly as
    they chose when they consented. A repeat returns the same item. `attribution`, when given,
    must be that choice: staff cannot name a customer otherwise than they agreed."""
    require_content_action(actor, "draft")
    if attribution is not None and attribution not in ATTRIBUTIONS:
        raise DomainError(
            _("Attribution must be first_name, initials or anonymous."),
            field_errors={"attribution": list(ATTRIBUTIONS)},
        )
    existing = ContentItem.objects.filter(testimonial_candidate_id=candidate_id).first()
    if existing is not None:
        return existing
    candidate = approved_testimonial_get(candidate_id=candidate_id)
    if candidate is None:
        raise DomainError(
            _(
                "Only an approved testimonial candidate (with the customer's consent) can become a testimonial."
            ),
            field_errors={"candidate": [_("Not an approved testimonial candidate.")]},
        )
    if attribution is not None and attribution != candidate.attribution:
        raise DomainError(
            _("The customer agreed to be named by %(choice)s only.")
            % {"choice": ATTRIBUTION_LABELS.get(candidate.attribution, candidate.attribution)},
            field_errors={"attribution": [candidate.attribution]},
        )
    if not candidate.quote.strip():
        raise DomainError(
            _("This candidate left no text to quote."), field_errors={"candidate": [_("No quote.")]}
        )
    who = attribution_text(candidate.author_name, candidate.attribution)
    item = ContentItem.objects.create(
        kind=ContentItem.Kind.TESTIMONIAL,
        title=_("Testimonial from %(who)s") % {"who": who},
        master_text=f"“{candidate.quote.strip()}” — {who}"[:10000],
        language=candidate.language if candidate.language in ContentItem.Language.values else "id",
        tags=["testimonial"],
        testimonial_candidate_id=candidate.id,
        testimonial_survey_id=candidate.survey_id,
        consent_recorded_at=candidate.consented_at,
        created_by_id=getattr(actor, "pk", None),
        created_by_email=getattr(actor, "email", "") or "",
    )
    history_record(
        item=item,
        action=HistoryEntry.Action.CREATED,
        actor=actor,
        comment=f"survey {candidate.survey_id}, named by {candidate.attribution} (the customer's choice)",
    )
    return item


def testimonial_consent_problem(item: ContentItem) -> str:
    """Why this item may not be published for lack of consent, or "" when it may."""
    if item.kind != ContentItem.Kind.TESTIMONIAL:
        return ""
    if (
        item.testimonial_candidate_id is None
        or approved_testimonial_get(candidate_id=item.testimonial_candidate_id) is None
    ):
        return _("A testimonial cannot be published without the customer's consent on record.")
    return ""
