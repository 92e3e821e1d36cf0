"""The client's view of incidents on the brand host: the list (no drills) and one incident with
its pinned timeline and moderation log. Every role on the brand may read it; nobody writes here."""

from uuid import UUID

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from incidents import selectors_crisis as selectors
from incidents import selectors_reviews as review_selectors


@require_GET
def incident_report_list(request: HttpRequest) -> HttpResponse:
    incidents = selectors.incident_list(for_client=True)[:200]
    return render(
        request, "incidents/crisis/report_list.html", {"incidents": incidents, "brand": request.tenant}
    )


@require_GET
def incident_report_detail(request: HttpRequest, incident_id: UUID) -> HttpResponse:
    incident = selectors.incident_get(incident_id=incident_id, for_client=True)
    context = {
        "brand": request.tenant,
        "incident": incident,
        "entries": selectors.timeline_list(incident=incident, pinned_only=True),
        "team": selectors.assignment_list(incident=incident, active_only=True),
        "moderation": selectors.moderation_log_list(incident=incident, for_client=True),
    }
    # The completed review of a real incident, with only what is marked for the client.
    review = review_selectors.review_for_incident(incident_id=incident.pk, for_client=True)
    if review is not None:
        context["review"] = review
        context["review_figures"] = review_selectors.review_client_figures(review=review)
    return render(request, "incidents/crisis/report_detail.html", context)
