"""Intake API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import intake as api

urlpatterns = [
    path("mentions/", api.MentionListCreateApi.as_view(), name="mention-list"),
    path("mentions/<uuid:mention_id>/", api.MentionDetailApi.as_view(), name="mention-detail"),
    path("mentions/<uuid:mention_id>/answered/", api.MentionAnsweredApi.as_view(), name="mention-answered"),
    path("metrics/", api.MetricListCreateApi.as_view(), name="metric-list"),
    path("detector-settings/", api.DetectorSettingsApi.as_view(), name="detector-settings"),
]
