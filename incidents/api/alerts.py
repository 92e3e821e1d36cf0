"""The alerts API: reading the brand's alerts, acknowledging, dismissing and reopening them
(services/alerts.py and services/one_crisis.py)."""

from __future__ import annotations

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from incidents.api.base import StrictCursor
from incidents.models import Alert
from incidents.selectors_early_warning import AlertFilter, alert_list
from incidents.services.alerts import alert_acknowledge, alert_dismiss
from incidents.services.one_crisis import alert_reopen
from tenants.api_base import BrandApiView


class AlertOut(serializers.ModelSerializer):
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "detector",
            "condition_key",
            "state",
            "severity",
            "severity_label",
            "title",
            "window_start",
            "window_end",
            "evidence",
            "raised_at",
            "last_seen_at",
            "update_count",
            "acknowledged_at",
            "dismissed_at",
            "dismiss_reason",
            "resolved_at",
            "incident",
        ]
        read_only_fields = fields


class _RaisedCursor(StrictCursor):
    ordering = ("-raised_at", "-id")
    page_size = 50


class AlertListApi(BrandApiView, GenericAPIView):
    serializer_class = AlertOut
    pagination_class = _RaisedCursor
    filter_backends = [DjangoFilterBackend]
    filterset_class = AlertFilter

    def get_queryset(self):
        return alert_list()

    @extend_schema(responses=AlertOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(AlertOut(page, many=True).data)


class _AlertObjectApi(BrandApiView):
    def alert(self, alert_id) -> Alert:
        alert = alert_list().filter(pk=alert_id).first()
        if alert is None:
            raise Http404
        return alert


class AlertDetailApi(_AlertObjectApi):
    @extend_schema(responses=AlertOut)
    def get(self, request, alert_id):
        return Response(AlertOut(self.alert(alert_id)).data)


class AlertAcknowledgeApi(_AlertObjectApi):
    @extend_schema(request=None, responses=AlertOut)
    def post(self, request, alert_id):
        alert = alert_acknowledge(alert_id=self.alert(alert_id).pk, actor=self.actor)
        return Response(AlertOut(alert).data)


class AlertDismissIn(serializers.Serializer):
    reason = serializers.CharField(max_length=4000)


class AlertDismissApi(_AlertObjectApi):
    Input = AlertDismissIn

    @extend_schema(request=Input, responses=AlertOut)
    def post(self, request, alert_id):
        data = self.validated(self.Input, request.data)
        alert = alert_dismiss(alert_id=self.alert(alert_id).pk, reason=data["reason"], actor=self.actor)
        return Response(AlertOut(alert).data)


class AlertReopenIn(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AlertReopenApi(_AlertObjectApi):
    """Reopen an alert whose condition ended (or that was dismissed)."""

    write_permission = "crisis.write"
    Input = AlertReopenIn

    @extend_schema(request=Input, responses=AlertOut)
    def post(self, request, alert_id):
        data = self.validated(self.Input, request.data)
        alert = alert_reopen(alert_id=self.alert(alert_id).pk, actor=self.actor, reason=data["reason"])
        return Response(AlertOut(alert).data)
