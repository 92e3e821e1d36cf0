"""Reads for post-crisis reviews. Clients (`for_client=True`) see completed reviews of real
incidents only, with the lessons and action items marked for them; drills never."""

from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from incidents.models import Review, ReviewActionItem, ReviewLesson


def review_list(
    *, for_client: bool = False, state: str | None = None, incident_id: UUID | None = None
) -> QuerySet[Review]:
    qs = Review.objects.select_related("incident")
    if for_client:
        qs = qs.filter(is_drill=False, state=Review.State.COMPLETED).prefetch_related(
            Prefetch("lessons", queryset=ReviewLesson.objects.filter(visible_to_client=True)),
            Prefetch(
                "action_items",
                queryset=ReviewActionItem.objects.filter(visible_to_client=True).select_related("owner"),
            ),
        )
    else:
        qs = qs.prefetch_related(
            "lessons",
            Prefetch("action_items", queryset=ReviewActionItem.objects.select_related("owner")),
            "feedback__member",
            "customers",
        )
    if state:
        qs = qs.filter(state=state)
    if incident_id:
        qs = qs.filter(incident_id=incident_id)
    return qs.order_by("-opened_at", "-id")


def review_get(*, review_id: UUID, for_client: bool = False) -> Review:
    """The review, or Http404 (an open review or a drill is missing to a client)."""
    review = review_list(for_client=for_client).filter(pk=review_id).first()
    if review is None:
        raise Http404("No such review.")
    return review


def review_for_incident(*, incident_id: UUID, for_client: bool = False) -> Review | None:
    return review_list(for_client=for_client, incident_id=incident_id).first()
