"""The caller's own in-app notifications and marking them read (services/notifications.py)."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from incidents.api.base import NewestCursor
from incidents.models import Notification
from incidents.selectors_early_warning import notification_list_for_user
from incidents.services.notifications import notification_mark_read
from tenants.api_base import BrandApiView


class NotificationOut(serializers.ModelSerializer):
    # In the reader's language (Accept-Language) and the brand's zone.
    subject = serializers.CharField(source="subject_text", read_only=True)
    body = serializers.CharField(source="body_text", read_only=True)

    class Meta:
        model = Notification
        fields = ["id", "subject", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


class NotificationListApi(BrandApiView, GenericAPIView):
    """The signed-in user's notifications on this brand (an API key has none)."""

    serializer_class = NotificationOut
    pagination_class = NewestCursor

    def get_queryset(self):
        user = self.request.user
        if not getattr(user, "pk", None):
            return Notification.objects.none()
        unread = self.request.query_params.get("unread") in ("1", "true")
        return notification_list_for_user(user=user, unread=unread)

    @extend_schema(
        parameters=[OpenApiParameter("unread", bool, description="Only notices not read yet")],
        responses=NotificationOut(many=True),
    )
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(NotificationOut(page, many=True).data)


class NotificationReadApi(BrandApiView):
    write_permission = "brand.read"  # anyone may mark their own notice read

    @extend_schema(request=None, responses=NotificationOut)
    def post(self, request, notification_id):
        if not getattr(request.user, "pk", None):
            raise Http404
        try:
            notification = notification_mark_read(notification_id=notification_id, user=request.user)
        except Notification.DoesNotExist:
            raise Http404
        return Response(NotificationOut(notification).data)
