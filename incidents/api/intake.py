"""The listening API: bulk intake of mentions and follower metrics, mention reads and the
answered mark, and the brand's detector settings (services/intake.py)."""

from __future__ import annotations

from django.http import Http404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from incidents.api.base import StrictCursor
from incidents.models import DetectorSettings, Mention, MetricSample
from incidents.permissions import care_can
from incidents.selectors_early_warning import (
    MentionFilter,
    MetricFilter,
    detector_settings_get,
    mention_list,
    metric_sample_list,
)
from incidents.services import intake
from incidents.services.intake import (
    MAX_ROWS_PER_REQUEST,
    detector_settings_update,
    mention_mark_answered,
    mentions_ingest,
    metrics_ingest,
)
from tenants.api_base import INTEGRATION, BrandApiView
from tenants.api_parsers import PayloadTooLarge
from tenants.languages import LANGUAGE_CODES
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


class _PostedAtCursor(StrictCursor):
    ordering = ("-posted_at", "-id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


# --- Mentions ---
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


# --- Metrics ---
class MetricIn(serializers.Serializer):
    platform = serializers.CharField(max_length=32)
    measured_at = serializers.DateTimeField()
    followers = serializers.IntegerField(min_value=0)


class MetricOut(serializers.ModelSerializer):
    class Meta:
        model = MetricSample
        fields = ["id", "platform", "measured_at", "followers", "received_at", "updated_at"]


class _MeasuredCursor(StrictCursor):
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


# --- Detector settings ---
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
