"""Moderation and community-guideline API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import moderation as api

urlpatterns = [
    path("moderation/", api.ModerationListCreateApi.as_view(), name="moderation-log"),
    path(
        "moderation/<uuid:moderation_id>/confirm/",
        api.ModerationConfirmApi.as_view(),
        name="moderation-confirm",
    ),
    path("guidelines/", api.GuidelinesApi.as_view(), name="guidelines"),
]
