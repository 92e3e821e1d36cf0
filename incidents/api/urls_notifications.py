"""Notifications API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import notifications as api

urlpatterns = [
    path("notifications/", api.NotificationListApi.as_view(), name="notification-list"),
    path(
        "notifications/<uuid:notification_id>/read/",
        api.NotificationReadApi.as_view(),
        name="notification-read",
    ),
]
