"""Early-warning API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import early_warning as api

urlpatterns = [
    path("mentions/", api.MentionListCreateApi.as_view(), name="mention-list"),
    path("mentions/<uuid:mention_id>/", api.MentionDetailApi.as_view(), name="mention-detail"),
    path("mentions/<uuid:mention_id>/answered/", api.MentionAnsweredApi.as_view(), name="mention-answered"),
    path("metrics/", api.MetricListCreateApi.as_view(), name="metric-list"),
    path("detector-settings/", api.DetectorSettingsApi.as_view(), name="detector-settings"),
    path("alerts/", api.AlertListApi.as_view(), name="alert-list"),
    path("alerts/<uuid:alert_id>/", api.AlertDetailApi.as_view(), name="alert-detail"),
    path("alerts/<uuid:alert_id>/acknowledge/", api.AlertAcknowledgeApi.as_view(), name="alert-acknowledge"),
    path("alerts/<uuid:alert_id>/dismiss/", api.AlertDismissApi.as_view(), name="alert-dismiss"),
    path("alerts/<uuid:alert_id>/reopen/", api.AlertReopenApi.as_view(), name="alert-reopen"),
    path("notifications/", api.NotificationListApi.as_view(), name="notification-list"),
    path(
        "notifications/<uuid:notification_id>/read/",
        api.NotificationReadApi.as_view(),
        name="notification-read",
    ),
    path("webhooks/", api.WebhookSubscriptionListCreateApi.as_view(), name="webhook-list"),
    path(
        "webhooks/<uuid:subscription_id>/", api.WebhookSubscriptionDetailApi.as_view(), name="webhook-detail"
    ),
    path(
        "webhooks/<uuid:subscription_id>/rotate-secret/",
        api.WebhookRotateSecretApi.as_view(),
        name="webhook-rotate-secret",
    ),
    path("webhooks/<uuid:subscription_id>/ping/", api.WebhookPingApi.as_view(), name="webhook-ping"),
    path(
        "webhooks/<uuid:subscription_id>/deliveries/",
        api.WebhookDeliveryListApi.as_view(),
        name="webhook-deliveries",
    ),
]
