"""Webhooks API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import webhooks as api

urlpatterns = [
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
