"""Alerts API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import alerts as api

urlpatterns = [
    path("alerts/", api.AlertListApi.as_view(), name="alert-list"),
    path("alerts/<uuid:alert_id>/", api.AlertDetailApi.as_view(), name="alert-detail"),
    path("alerts/<uuid:alert_id>/acknowledge/", api.AlertAcknowledgeApi.as_view(), name="alert-acknowledge"),
    path("alerts/<uuid:alert_id>/dismiss/", api.AlertDismissApi.as_view(), name="alert-dismiss"),
    path("alerts/<uuid:alert_id>/reopen/", api.AlertReopenApi.as_view(), name="alert-reopen"),
]
