"""Incident timeline API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import timeline as api

urlpatterns = [
    path("incidents/<uuid:incident_id>/timeline/", api.TimelineApi.as_view(), name="incident-timeline"),
    path(
        "incidents/<uuid:incident_id>/timeline/<uuid:entry_id>/pin/",
        api.TimelinePinApi.as_view(),
        name="incident-timeline-pin",
    ),
]
