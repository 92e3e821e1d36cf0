"""Webhook subscriptions, their secrets and pings, and the delivery log (services/webhooks.py)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from incidents.api.base import NewestCursor
from incidents.models import WebhookDelivery, WebhookSubscription
from incidents.selectors_early_warning import webhook_delivery_list, webhook_subscription_list
from incidents.services.webhooks import (
    EVENTS,
    webhook_ping,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_rotate_secret,
    webhook_subscription_update,
)
from tenants.api_base import BrandApiView
from tenants.pagination import page_of, paginated_response


class WebhookSubscriptionOut(serializers.ModelSerializer):
    secret_hint = serializers.CharField(read_only=True)

    class Meta:
        model = WebhookSubscription
        fields = ["id", "name", "url", "events", "is_active", "secret_hint", "created_at", "updated_at"]
        read_only_fields = fields


class WebhookSubscriptionCreatedOut(WebhookSubscriptionOut):
    secret = serializers.CharField(read_only=True, help_text="Shown only in this response; store it now.")

    class Meta(WebhookSubscriptionOut.Meta):
        fields = [*WebhookSubscriptionOut.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookSubscriptionIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    url = serializers.URLField(max_length=2000)
    events = serializers.ListField(
        child=serializers.CharField(max_length=64), help_text=f"Any of {', '.join(EVENTS)}, or '*'."
    )


class WebhookSubscriptionListCreateApi(BrandApiView):
    Input = WebhookSubscriptionIn
    ordering_fields = ("created_at", "name")

    class Filters(serializers.Serializer):
        is_active = serializers.BooleanField(required=False, allow_null=True, default=None)
        event = serializers.CharField(required=False, max_length=64, help_text="Subscribed to this event")

    @extend_schema(
        summary="List webhook subscriptions",
        parameters=[Filters],
        responses=page_of(WebhookSubscriptionOut),
        operation_id="v1_webhooks_list",
    )
    def get(self, request):
        filters = self.validated(self.Filters, request.query_params)
        subscriptions = webhook_subscription_list()
        if filters["is_active"] is not None:
            subscriptions = subscriptions.filter(is_active=filters["is_active"])
        if filters.get("event"):
            subscriptions = subscriptions.filter(
                Q(events__contains=[filters["event"]]) | Q(events__contains=["*"])
            )
        return paginated_response(self, subscriptions, WebhookSubscriptionOut, default_ordering="created_at")

    @extend_schema(
        summary="Subscribe an endpoint to events (the signing secret is in this answer only)",
        request=Input,
        responses={201: WebhookSubscriptionCreatedOut},
        examples=[
            OpenApiExample(
                "Crisis events",
                value={
                    "name": "War room bot",
                    "url": "https://hooks.example.com/tanggap",
                    "events": ["incident.opened", "alert.raised", "content.held"],
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = self.validated(self.Input, request.data)
        subscription, _secret = webhook_subscription_create(**data, created_by=self.actor)
        return Response(WebhookSubscriptionCreatedOut(subscription).data, status=status.HTTP_201_CREATED)


class _SubscriptionObjectApi(BrandApiView):
    def subscription(self, subscription_id) -> WebhookSubscription:
        subscription = webhook_subscription_list().filter(pk=subscription_id).first()
        if subscription is None:
            raise Http404
        return subscription


class WebhookSubscriptionPatchIn(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    url = serializers.URLField(max_length=2000, required=False)
    events = serializers.ListField(child=serializers.CharField(max_length=64), required=False)
    is_active = serializers.BooleanField(required=False)


class WebhookSubscriptionDetailApi(_SubscriptionObjectApi):
    Input = WebhookSubscriptionPatchIn

    @extend_schema(responses=WebhookSubscriptionOut)
    def get(self, request, subscription_id):
        return Response(WebhookSubscriptionOut(self.subscription(subscription_id)).data)

    @extend_schema(request=Input, responses=WebhookSubscriptionOut)
    def patch(self, request, subscription_id):
        data = self.validated(self.Input, request.data)
        subscription = webhook_subscription_update(
            subscription_id=self.subscription(subscription_id).pk, **data
        )
        return Response(WebhookSubscriptionOut(subscription).data)

    @extend_schema(
        summary="Delete a webhook subscription (its pending deliveries are not sent)",
        request=None,
        responses={204: None},
    )
    def delete(self, request, subscription_id):
        webhook_subscription_delete(subscription_id=self.subscription(subscription_id).pk, actor=self.actor)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateSecretApi(_SubscriptionObjectApi):
    class Input(serializers.Serializer):
        overlap_hours = serializers.IntegerField(
            required=False,
            default=24,
            min_value=0,
            max_value=168,
            help_text="Hours the old secret still signs beside the new one (0 ends it at once).",
        )

    @extend_schema(
        summary="Rotate the signing secret (old and new both sign during the overlap)",
        request=Input,
        responses=WebhookSubscriptionCreatedOut,
    )
    def post(self, request, subscription_id):
        data = self.validated(self.Input, request.data or {})
        subscription, _secret = webhook_subscription_rotate_secret(
            subscription_id=self.subscription(subscription_id).pk, overlap_hours=data["overlap_hours"]
        )
        return Response(WebhookSubscriptionCreatedOut(subscription).data)


class WebhookPingApi(_SubscriptionObjectApi):
    @extend_schema(request=None, responses={202: OpenApiTypes.OBJECT})
    def post(self, request, subscription_id):
        queued = webhook_ping(subscription_id=self.subscription(subscription_id).pk)
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryOut(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription",
            "event",
            "status",
            "attempts",
            "attempt_log",
            "last_status_code",
            "next_attempt_at",
            "delivered_at",
            "created_at",
        ]
        read_only_fields = fields


class WebhookDeliveryListApi(_SubscriptionObjectApi, GenericAPIView):
    serializer_class = WebhookDeliveryOut
    pagination_class = NewestCursor

    class Filters(serializers.Serializer):
        status = serializers.ChoiceField(choices=WebhookDelivery.Status.choices, required=False)
        event = serializers.CharField(required=False, max_length=64)

    def get_queryset(self):
        return webhook_delivery_list()

    @extend_schema(parameters=[Filters], responses=WebhookDeliveryOut(many=True))
    def get(self, request, subscription_id):
        subscription = self.subscription(subscription_id)
        filters = self.validated(self.Filters, request.query_params)
        page = self.paginate_queryset(
            webhook_delivery_list(subscription_id=subscription.pk).filter(**filters)
        )
        return self.get_paginated_response(WebhookDeliveryOut(page, many=True).data)
