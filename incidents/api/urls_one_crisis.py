"""One-crisis API routes (attach an alert, merge incidents) (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import one_crisis as api

urlpatterns = [
    path(
        "incidents/<uuid:incident_id>/alerts/", api.IncidentAlertAttachApi.as_view(), name="incident-alerts"
    ),
    path("incidents/<uuid:incident_id>/merge/", api.IncidentMergeApi.as_view(), name="incident-merge"),
]
