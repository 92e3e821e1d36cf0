"""Client status update API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import status_updates as api

urlpatterns = [
    path(
        "incidents/<uuid:incident_id>/status-updates/",
        api.StatusUpdateListCreateApi.as_view(),
        name="incident-status-updates",
    ),
    path(
        "status-updates/<uuid:status_update_id>/approve/",
        api.StatusUpdateApproveApi.as_view(),
        name="status-update-approve",
    ),
    path(
        "status-updates/<uuid:status_update_id>/reject/",
        api.StatusUpdateRejectApi.as_view(),
        name="status-update-reject",
    ),
]
