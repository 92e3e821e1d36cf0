"""The content app's one crossing into surveys, named here and nowhere else: approved testimonial
candidates (respondents who consented to be quoted), read through
`surveys.selectors.testimonial_list`."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from surveys.selectors import testimonial_list

APPROVED = "approved"


@dataclass(frozen=True)
class ApprovedTestimonial:
    id: UUID
    survey_id: UUID
    quote: str
    author_name: str
    attribution: str  # how the respondent chose to be named: first_name, initials or anonymous
    language: str
    consented_at: datetime  # when the respondent submitted the consent answer


def _out(candidate) -> ApprovedTestimonial:
    return ApprovedTestimonial(
        id=candidate.pk,
        survey_id=candidate.response.survey_id,
        quote=candidate.quote,
        author_name=candidate.author_name,
        attribution=candidate.attribution,
        language=candidate.language,
        consented_at=candidate.response.submitted_at,
    )


def approved_testimonial_get(*, candidate_id: UUID) -> ApprovedTestimonial | None:
    """The candidate if it is still approved (consent on record), else None."""
    candidate = testimonial_list(status=APPROVED).filter(pk=candidate_id).first()
    return _out(candidate) if candidate else None


def approved_testimonials(*, limit: int = 200) -> list[ApprovedTestimonial]:
    return [_out(c) for c in testimonial_list(status=APPROVED).order_by("-created_at")[:limit]]
