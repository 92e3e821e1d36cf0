"""Incident API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import incidents as api

urlpatterns = [
    path("incidents/", api.IncidentListCreateApi.as_view(), name="incident-list"),
    path("incidents/from-alert/", api.IncidentFromAlertApi.as_view(), name="incident-from-alert"),
    path("incidents/<uuid:incident_id>/", api.IncidentDetailApi.as_view(), name="incident-detail"),
    path(
        "incidents/<uuid:incident_id>/transition/",
        api.IncidentTransitionApi.as_view(),
        name="incident-transition",
    ),
    path(
        "incidents/<uuid:incident_id>/mentions/",
        api.IncidentMentionsLinkApi.as_view(),
        name="incident-mentions",
    ),
    path(
        "incidents/<uuid:incident_id>/mention-candidates/",
        api.IncidentMentionCandidatesApi.as_view(),
        name="incident-mention-candidates",
    ),
]
