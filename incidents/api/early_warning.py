"""Early-warning API on a brand host: bulk intake of mentions and metrics, mention and alert reads
and actions, the caller's notifications, webhook subscriptions and their delivery log."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from incidents.models import (
    Alert,
    DetectorSettings,
    Mention,
    MetricSample,
    Notification,
    WebhookDelivery,
    WebhookSubscription,
)
from incidents.permissions import care_can
from incidents.selectors_early_warning import (
    AlertFilter,
    MentionFilter,
    MetricFilter,
    alert_list,
    detector_settings_get,
    mention_list,
    metric_sample_list,
    notification_list_for_user,
    webhook_delivery_list,
    webhook_subscription_list,
)
from incidents.services import intake
from incidents.services.alerts import alert_acknowledge, alert_dismiss
from incidents.services.intake import (
    MAX_ROWS_PER_REQUEST,
    detector_settings_update,
    mention_mark_answered,
    mentions_ingest,
    metrics_ingest,
)
from incidents.services.notifications import notification_mark_read
from incidents.services.one_crisis import alert_reopen
from incidents.services.webhooks import (
    EVENTS,
    webhook_ping,
    webhook_subscription_create,
    webhook_subscription_delete,
    webhook_subscription_rotate_secret,
    webhook_subscription_update,
)
from tenants.api_base import INTEGRATION, BrandApiView
from tenants.api_parsers import PayloadTooLarge
from tenants.languages import LANGUAGE_CODES
from tenants.pagination import ListCursor, page_of, paginated_response
from tenants.platforms import PLATFORMS


def _json_list(request, *, what: str) -> list:
    """The request body as a JSON list, or a 400/413/415 that says what is wrong with it. The
    body is read by the API's one JSON parser (size, depth, UTF-8 and media type checked there)."""
    try:
        data = request.data
    except PayloadTooLarge as exc:
        raise PayloadTooLarge(f"{exc.detail} Send fewer {what} per request.")
    if data == {} and not int(request.META.get("CONTENT_LENGTH") or 0):
        raise ParseError(f"The body is empty; send a JSON list of {what}.")
    if not isinstance(data, list):
        raise ParseError(f"The body must be a JSON list of {what}, not a {type(data).__name__}.")
    if len(data) > MAX_ROWS_PER_REQUEST:
        raise PayloadTooLarge(
            f"Too many {what}: {len(data)}. Send at most {MAX_ROWS_PER_REQUEST:,} per request."
        )
    return data


class IntakeRowError(serializers.Serializer):
    index = serializers.IntegerField()
    external_id = serializers.CharField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class IntakeOut(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    rejected = serializers.IntegerField()
    duplicates_in_request = serializers.IntegerField()
    errors = IntakeRowError(many=True)


class _Cursor(ListCursor):
    """DRF hands a decoded cursor's position to the filter unchecked; one that is not a value of the
    ordering field (a hand-made or corrupted cursor) is the same 404 as one that does not decode."""

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except ValidationError:
            raise NotFound(self.invalid_cursor_message)


class _PostedAtCursor(_Cursor):
    ordering = ("-posted_at", "-id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


class _NewestCursor(_Cursor):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


# --- Mentions ---------------------------------------------------------------------------------------
@extend_schema_field(
    {
        "oneOf": [{"type": "string", "maxLength": intake.EXTERNAL_ID_MAX}, {"type": "integer", "minimum": 0}],
        "description": "The platform's id of the post: a string, or a whole number.",
    }
)
class _ExternalIdField(serializers.CharField):
    pass


class MentionIn(serializers.Serializer):
    """One mention as an integration sends it. The intake service validates it in Python, row by
    row; every limit below is the service's own constant, so the two cannot drift."""

    platform = serializers.ChoiceField(
        choices=list(PLATFORMS), help_text="The platform's code (case-insensitive), e.g. instagram, x."
    )
    external_id = _ExternalIdField(max_length=intake.EXTERNAL_ID_MAX)
    kind = serializers.ChoiceField(choices=Mention.Kind.choices)
    author_handle = serializers.CharField(max_length=intake.HANDLE_MAX)
    author_name = serializers.CharField(max_length=intake.HANDLE_MAX, required=False)
    text = serializers.CharField(max_length=intake.MAX_TEXT_LENGTH, required=False, allow_blank=True)
    url = serializers.CharField(
        max_length=intake.URL_MAX, required=False, allow_blank=True, help_text="An http:// or https:// URL."
    )
    posted_at = serializers.DateTimeField(
        help_text="ISO 8601 with a time zone offset; at most a day in the future."
    )
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, required=False, allow_null=True)
    sentiment = serializers.FloatField(min_value=-1, max_value=1, required=False, allow_null=True)
    reach = serializers.IntegerField(min_value=0, max_value=2**63 - 1, required=False)
    engagement = serializers.IntegerField(min_value=0, max_value=2**63 - 1, required=False)
    parent_external_id = _ExternalIdField(max_length=intake.EXTERNAL_ID_MAX, required=False, allow_blank=True)


class MentionOut(serializers.ModelSerializer):
    answered = serializers.BooleanField(source="is_answered", read_only=True)

    class Meta:
        model = Mention
        fields = [
            "id",
            "platform",
            "external_id",
            "kind",
            "author_handle",
            "author_name",
            "text",
            "url",
            "posted_at",
            "parent_external_id",
            "reach",
            "engagement",
            "source_language",
            "source_sentiment",
            "language",
            "sentiment",
            "sentiment_band",
            "is_abuse",
            "is_threat",
            "is_complaint",
            "is_question",
            "is_own",
            "scored_at",
            "answered",
            "answered_at",
            "received_at",
            "updated_at",
        ]
        read_only_fields = fields


_MENTION_EXAMPLE = [
    {
        "platform": "instagram",
        "external_id": "17890012345",
        "kind": "comment",
        "author_handle": "@rina.w",
        "author_name": "Rina",
        "text": "Pesanan saya belum sampai, kecewa banget",
        "url": "https://instagram.com/p/abc",
        "posted_at": "2026-11-23T08:15:00+07:00",
        "reach": 120,
        "engagement": 4,
        "parent_external_id": "17890000001",
    }
]


class MentionListCreateApi(BrandApiView, GenericAPIView):
    """GET: the brand's mentions, newest first, filtered and cursor-paginated. POST: bulk intake."""

    key_write_scope = "intake"  # an intake-only key may post these

    serializer_class = MentionOut
    # A lone surrogate is that row's error (good rows are kept), not a refusal of the whole batch.
    validates_every_string = True
    pagination_class = _PostedAtCursor
    filter_backends = [DjangoFilterBackend]
    filterset_class = MentionFilter

    def get_queryset(self):
        return _without_private_messages(self, mention_list())

    @extend_schema(responses=MentionOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(MentionOut(page, many=True).data)

    @extend_schema(
        request=MentionIn(many=True),
        responses={200: IntakeOut},
        examples=[OpenApiExample("One comment", value=_MENTION_EXAMPLE, request_only=True)],
        description=(
            f"Up to {MAX_ROWS_PER_REQUEST:,} mentions per request. Idempotent on (platform, external_id): "
            "a resend updates counts and text. Bad rows are reported per index; good rows are kept."
        ),
    )
    def post(self, request):
        rows = _json_list(request, what="mentions")
        return Response(mentions_ingest(rows=rows).as_dict())


def _without_private_messages(view: BrandApiView, mentions):
    """Customers' direct messages are personal data: only the integration that posts them and the
    roles that see care-case contact details read them (incidents.permissions.CARE_MATRIX)."""
    if view.brand_role == INTEGRATION or care_can(view.request.user, "care_contact_details"):
        return mentions
    return mentions.exclude(kind=Mention.Kind.DIRECT_MESSAGE)


class _MentionObjectApi(BrandApiView):
    def mention(self, mention_id) -> Mention:
        mention = _without_private_messages(self, mention_list()).filter(pk=mention_id).first()
        if mention is None:
            raise Http404
        return mention


class MentionDetailApi(_MentionObjectApi):
    @extend_schema(responses=MentionOut)
    def get(self, request, mention_id):
        return Response(MentionOut(self.mention(mention_id)).data)


class MentionAnsweredIn(serializers.Serializer):
    answered_at = serializers.DateTimeField(required=False)


class MentionAnsweredApi(_MentionObjectApi):
    """Record that the brand answered this mention (it stops counting as unanswered)."""

    Input = MentionAnsweredIn

    @extend_schema(request=Input, responses=MentionOut)
    def post(self, request, mention_id):
        data = self.validated(self.Input, request.data)
        mention = mention_mark_answered(mention_id=self.mention(mention_id).pk, at=data.get("answered_at"))
        return Response(MentionOut(mention).data)


# --- Metrics ----------------------------------------------------------------------------------------
class MetricIn(serializers.Serializer):
    platform = serializers.CharField(max_length=32)
    measured_at = serializers.DateTimeField()
    followers = serializers.IntegerField(min_value=0)


class MetricOut(serializers.ModelSerializer):
    class Meta:
        model = MetricSample
        fields = ["id", "platform", "measured_at", "followers", "received_at", "updated_at"]


class _MeasuredCursor(_Cursor):
    ordering = ("-measured_at", "-id")
    page_size = 200


class MetricListCreateApi(BrandApiView, GenericAPIView):
    """GET: follower samples, newest first. POST: bulk intake, idempotent on (platform, measured_at)."""

    key_write_scope = "intake"  # an intake-only key may post these

    serializer_class = MetricOut
    pagination_class = _MeasuredCursor
    filter_backends = [DjangoFilterBackend]
    filterset_class = MetricFilter

    def get_queryset(self):
        return metric_sample_list()

    @extend_schema(responses=MetricOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(MetricOut(page, many=True).data)

    @extend_schema(request=MetricIn(many=True), responses={200: IntakeOut})
    def post(self, request):
        rows = _json_list(request, what="samples")
        return Response(metrics_ingest(rows=rows).as_dict())


# --- Detector settings ------------------------------------------------------------------------------
class DetectorSettingsOut(serializers.ModelSerializer):
    # Null while the brand runs on the defaults (nobody saved thresholds yet).
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = DetectorSettings
        exclude = ["id"]
        read_only_fields = ["updated_at"]


class DetectorSettingsApi(BrandApiView):
    """The brand's detector thresholds (defaults until someone saves them). Staff change them."""

    write_permission = "workspace.configure"

    @extend_schema(responses=DetectorSettingsOut)
    def get(self, request):
        return Response(DetectorSettingsOut(detector_settings_get()).data)

    @extend_schema(request=DetectorSettingsOut(partial=True), responses=DetectorSettingsOut)
    def patch(self, request):
        data = self.validated(DetectorSettingsOut, request.data, partial=True)
        return Response(DetectorSettingsOut(detector_settings_update(**data)).data)


# --- Alerts -----------------------------------------------------------------------------------------
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


class _RaisedCursor(_Cursor):
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


# --- Notifications ----------------------------------------------------------------------------------
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
    pagination_class = _NewestCursor

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


# --- Webhooks ---------------------------------------------------------------------------------------
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
    pagination_class = _NewestCursor

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
