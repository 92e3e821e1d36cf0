"""Content API on a brand host (/api/v1/content/): the library, per-platform variants, the
calendar, channels, and the approval and publishing actions. Every granted role reads; each write
names its `content.*` row of the role matrix (tenants/roles.py): the brand's API key drafts,
schedules, confirms and manages channels, and approval is a person's decision (client approvers
included)."""

import zoneinfo
from datetime import date, datetime, time, timedelta

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from content import selectors, services
from content.models import Channel, ContentItem, Variant
from content.serializers import (
    ContentChannelOut,
    ContentChannelWithSecretOut,
    ContentItemListOut,
    ContentItemOut,
    ContentMediaOut,
    ContentMetricOut,
    ContentVariantOut,
)
from tenants.api_base import BrandApiView
from tenants.errors import DomainError
from tenants.pagination import NewestFirstCursor, page_of, paginated_response
from tenants.platforms import PUBLISHING_PLATFORM_CHOICES

TAG = ["content"]
MAX_CALENDAR_DAYS = 93
PUBLISHING_PLATFORMS = [code for code, _label in PUBLISHING_PLATFORM_CHOICES]


class CalendarCursor(NewestFirstCursor):
    ordering = ("calendar_time", "id")


def _item_or_404(item_id) -> ContentItem:
    item = selectors.item_get(item_id=item_id)
    if item is None:
        raise Http404
    return item


def _variant_or_404(variant_id) -> Variant:
    variant = selectors.variant_get(variant_id=variant_id)
    if variant is None:
        raise Http404
    return variant


def _choice(value: str | None, choices, name: str) -> str | None:
    if value and value not in choices:
        raise serializers.ValidationError({name: [f"Use one of: {', '.join(choices)}."]})
    return value or None


class ItemIn(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ContentItem.Kind.choices)
    title = serializers.CharField(max_length=200)
    master_text = serializers.CharField(max_length=10000)
    language = serializers.ChoiceField(choices=ContentItem.Language.choices)
    tags = serializers.ListField(child=serializers.CharField(max_length=50), max_length=20, required=False)
    evergreen = serializers.BooleanField(required=False, default=False)


class ItemPatchIn(ItemIn):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class ItemListApi(BrandApiView):
    write_permission = "content.draft"
    pagination_class = NewestFirstCursor

    @extend_schema(
        tags=TAG,
        summary="Content items, newest first",
        parameters=[
            OpenApiParameter("kind", str, enum=ContentItem.Kind.values),
            OpenApiParameter("status", str, enum=ContentItem.Status.values),
            OpenApiParameter("language", str, enum=ContentItem.Language.values),
            OpenApiParameter("tag", str),
        ],
        responses=ContentItemListOut(many=True),
    )
    def get(self, request):
        q = request.query_params
        qs = selectors.item_list(
            kind=_choice(q.get("kind"), ContentItem.Kind.values, "kind"),
            status=_choice(q.get("status"), ContentItem.Status.values, "status"),
            language=_choice(q.get("language"), ContentItem.Language.values, "language"),
            tag=(q.get("tag") or "")[:50].replace("\x00", "") or None,
        )
        return paginated_response(self, qs, ContentItemListOut)

    @extend_schema(
        tags=TAG, summary="Create a content item (a draft)", request=ItemIn, responses={201: ContentItemOut}
    )
    def post(self, request):
        data = self.validated(ItemIn, request.data)
        item = services.item_create(actor=self.actor, **data)
        return Response(
            ContentItemOut(selectors.item_get(item_id=item.pk)).data, status=status.HTTP_201_CREATED
        )


class FromTestimonialIn(serializers.Serializer):
    candidate = serializers.UUIDField(help_text="An approved testimonial candidate (surveys).")
    attribution = serializers.ChoiceField(
        choices=["first_name", "initials", "anonymous"],
        required=False,
        allow_null=True,
        default=None,
        help_text="Leave out: the customer's own choice, given with their consent, is used. When given, it must be that choice.",
    )


class ItemFromTestimonialApi(BrandApiView):
    write_permission = "content.draft"

    @extend_schema(
        tags=TAG,
        summary="Make the testimonial draft of an approved survey testimonial (once per candidate)",
        request=FromTestimonialIn,
        responses={201: ContentItemOut},
    )
    def post(self, request):
        data = self.validated(FromTestimonialIn, request.data)
        item = services.testimonial_draft_create(
            candidate_id=data["candidate"], actor=self.actor, attribution=data["attribution"]
        )
        return Response(
            ContentItemOut(selectors.item_get(item_id=item.pk)).data, status=status.HTTP_201_CREATED
        )


class ItemDetailApi(BrandApiView):
    write_permission = "content.draft"

    @extend_schema(
        tags=TAG, summary="A content item with its media, variants and history", responses=ContentItemOut
    )
    def get(self, request, item_id):
        return Response(ContentItemOut(_item_or_404(item_id)).data)

    @extend_schema(
        tags=TAG,
        summary="Edit a content item (an edit after approval sends it back to draft)",
        request=ItemPatchIn,
        responses=ContentItemOut,
    )
    def patch(self, request, item_id):
        _item_or_404(item_id)
        data = self.validated(ItemPatchIn, request.data)
        services.item_update(item_id=item_id, actor=self.actor, **data)
        return Response(ContentItemOut(_item_or_404(item_id)).data)


class ItemSubmitApi(BrandApiView):
    write_permission = "content.submit"

    @extend_schema(tags=TAG, summary="Submit a draft for review", request=None, responses=ContentItemOut)
    def post(self, request, item_id):
        _item_or_404(item_id)
        services.item_submit(item_id=item_id, actor=self.actor)
        return Response(ContentItemOut(_item_or_404(item_id)).data)


class ApproveIn(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RejectIn(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, help_text="Why; shown on the item's history.")


class ItemApproveApi(BrandApiView):
    # Who decides approvals reaches the item (another brand's id is a 404, not a 403); the
    # service then requires content.approve of the person. An API key never decides.
    write_permission = "approvals.decide"

    @extend_schema(tags=TAG, summary="Approve an item in review", request=ApproveIn, responses=ContentItemOut)
    def post(self, request, item_id):
        _item_or_404(item_id)
        data = self.validated(ApproveIn, request.data)
        services.item_approve(item_id=item_id, actor=self.actor, **data)
        return Response(ContentItemOut(_item_or_404(item_id)).data)


class ItemRejectApi(BrandApiView):
    # Who decides approvals reaches the item (another brand's id is a 404, not a 403); the
    # service then requires content.approve of the person. An API key never decides.
    write_permission = "approvals.decide"

    @extend_schema(
        tags=TAG,
        summary="Reject an item in review, back to draft, with a comment",
        request=RejectIn,
        responses=ContentItemOut,
    )
    def post(self, request, item_id):
        _item_or_404(item_id)
        data = self.validated(RejectIn, request.data)
        services.item_reject(item_id=item_id, actor=self.actor, **data)
        return Response(ContentItemOut(_item_or_404(item_id)).data)


class MediaIn(serializers.Serializer):
    file = serializers.FileField(help_text="JPEG, PNG, GIF, WebP (10 MB) or MP4, MOV, WebM (200 MB).")
    alt_text = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ItemMediaApi(BrandApiView):
    write_permission = "content.draft"
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        tags=TAG,
        summary="Upload an image or video for an item (type read from the bytes)",
        request={"multipart/form-data": MediaIn},
        responses={201: ContentMediaOut},
    )
    def post(self, request, item_id):
        _item_or_404(item_id)
        data = self.validated(MediaIn, request.data)
        media = services.media_add(
            item_id=item_id, actor=self.actor, upload=data["file"], alt_text=data["alt_text"]
        )
        return Response(ContentMediaOut(media).data, status=status.HTTP_201_CREATED)


class VariantIn(serializers.Serializer):
    item = serializers.UUIDField()
    platform = serializers.ChoiceField(choices=PUBLISHING_PLATFORM_CHOICES)
    text = serializers.CharField(
        max_length=70000, required=False, help_text="Default: the item's master text."
    )
    media = serializers.ListField(child=serializers.UUIDField(), max_length=20, required=False, default=list)


class VariantPatchIn(serializers.Serializer):
    text = serializers.CharField(max_length=70000, required=False)
    media = serializers.ListField(child=serializers.UUIDField(), max_length=20, required=False)


class VariantListApi(BrandApiView):
    write_permission = "content.draft"
    pagination_class = NewestFirstCursor

    @extend_schema(
        tags=TAG,
        summary="Variants (one item adapted to one platform), newest first",
        parameters=[
            OpenApiParameter("item", str),
            OpenApiParameter("platform", str, enum=PUBLISHING_PLATFORMS),
            OpenApiParameter("status", str, enum=Variant.Status.values),
        ],
        responses=ContentVariantOut(many=True),
    )
    def get(self, request):
        q = request.query_params
        item = serializers.UUIDField(required=False, allow_null=True).run_validation(q.get("item") or None)
        qs = selectors.variant_list(
            item_id=item,
            platform=_choice(q.get("platform"), PUBLISHING_PLATFORMS, "platform"),
            status=_choice(q.get("status"), Variant.Status.values, "status"),
        )
        return paginated_response(self, qs, ContentVariantOut)

    @extend_schema(
        tags=TAG,
        summary="Add a platform variant to an item",
        request=VariantIn,
        responses={201: ContentVariantOut},
    )
    def post(self, request):
        data = self.validated(VariantIn, request.data)
        if selectors.item_get(item_id=data["item"]) is None:
            raise DomainError("No such content item.", field_errors={"item": ["No such content item."]})
        variant = services.variant_create(
            item_id=data["item"],
            actor=self.actor,
            platform=data["platform"],
            text=data.get("text"),
            media_ids=data["media"],
        )
        return Response(ContentVariantOut(_variant_or_404(variant.pk)).data, status=status.HTTP_201_CREATED)


class VariantDetailApi(BrandApiView):
    write_permission = "content.draft"

    @extend_schema(
        tags=TAG, summary="A variant, with the platform rules it breaks now", responses=ContentVariantOut
    )
    def get(self, request, variant_id):
        return Response(ContentVariantOut(_variant_or_404(variant_id)).data)

    @extend_schema(
        tags=TAG,
        summary="Edit a variant's text or media",
        request=VariantPatchIn,
        responses=ContentVariantOut,
    )
    def patch(self, request, variant_id):
        _variant_or_404(variant_id)
        data = self.validated(VariantPatchIn, request.data)
        services.variant_update(
            variant_id=variant_id, actor=self.actor, text=data.get("text"), media_ids=data.get("media")
        )
        return Response(ContentVariantOut(_variant_or_404(variant_id)).data)


class ScheduleIn(serializers.Serializer):
    at = serializers.DateTimeField(help_text="With its zone, e.g. 2026-12-01T09:00:00+07:00.")
    channel = serializers.UUIDField(
        required=False, allow_null=True, help_text="Default: the platform's channel."
    )


class VariantScheduleApi(BrandApiView):
    write_permission = "content.schedule"

    @extend_schema(
        tags=TAG,
        summary="Schedule a variant (refused, naming the rule, when it breaks its platform's rules)",
        request=ScheduleIn,
        responses=ContentVariantOut,
    )
    def post(self, request, variant_id):
        _variant_or_404(variant_id)
        data = self.validated(ScheduleIn, request.data)
        services.variant_schedule(
            variant_id=variant_id, actor=self.actor, at=data["at"], channel_id=data.get("channel")
        )
        return Response(ContentVariantOut(_variant_or_404(variant_id)).data)


class VariantUnscheduleApi(BrandApiView):
    write_permission = "content.schedule"

    @extend_schema(
        tags=TAG, summary="Take a variant off the calendar", request=None, responses=ContentVariantOut
    )
    def post(self, request, variant_id):
        _variant_or_404(variant_id)
        services.variant_unschedule(variant_id=variant_id, actor=self.actor)
        return Response(ContentVariantOut(_variant_or_404(variant_id)).data)


class RepeatIn(serializers.Serializer):
    interval_days = serializers.IntegerField(min_value=1, max_value=3650, allow_null=True)
    until = serializers.DateTimeField(required=False, allow_null=True)
    count = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=100)


class VariantRepeatApi(BrandApiView):
    write_permission = "content.schedule"

    @extend_schema(
        tags=TAG,
        summary="Set an evergreen variant's repeat (every N days from its first publication; null clears)",
        request=RepeatIn,
        responses=ContentVariantOut,
    )
    def post(self, request, variant_id):
        _variant_or_404(variant_id)
        data = self.validated(RepeatIn, request.data)
        services.variant_evergreen_set(
            variant_id=variant_id,
            actor=self.actor,
            interval_days=data["interval_days"],
            until=data.get("until"),
            count=data.get("count"),
        )
        return Response(ContentVariantOut(_variant_or_404(variant_id)).data)


class ReleaseIn(serializers.Serializer):
    at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Default: the proposed time, else now."
    )


class VariantReleaseApi(BrandApiView):
    write_permission = "content.schedule"

    @extend_schema(
        tags=TAG,
        summary="Release one variant held by a crisis hold",
        request=ReleaseIn,
        responses=ContentVariantOut,
    )
    def post(self, request, variant_id):
        _variant_or_404(variant_id)
        data = self.validated(ReleaseIn, request.data)
        services.variant_release(variant_id=variant_id, actor=self.actor, at=data.get("at"))
        return Response(ContentVariantOut(_variant_or_404(variant_id)).data)


class ConfirmIn(serializers.Serializer):
    platform_post_id = serializers.CharField(max_length=200)
    url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")


class VariantConfirmPublishedApi(BrandApiView):
    write_permission = "content.confirm"

    @extend_schema(
        tags=TAG,
        summary="Confirm a variant is live, with the platform's post id and URL (idempotent)",
        request=ConfirmIn,
        responses=ContentVariantOut,
    )
    def post(self, request, variant_id):
        _variant_or_404(variant_id)
        data = self.validated(ConfirmIn, request.data)
        services.variant_confirm_published(variant_id=variant_id, actor=self.actor, **data)
        return Response(ContentVariantOut(_variant_or_404(variant_id)).data)


class MetricsIn(serializers.Serializer):
    measured_at = serializers.DateTimeField()
    reach = serializers.IntegerField(min_value=0, max_value=10**15, default=0)
    likes = serializers.IntegerField(min_value=0, max_value=10**15, default=0)
    comments = serializers.IntegerField(min_value=0, max_value=10**15, default=0)
    shares = serializers.IntegerField(min_value=0, max_value=10**15, default=0)
    clicks = serializers.IntegerField(min_value=0, max_value=10**15, default=0)


class VariantMetricsApi(BrandApiView):
    key_write_scope = "intake"  # an intake-only key may post these
    # Metrics are facts reported by staff or the integration, not a content decision.
    write_permission = "workspace.write"

    ordering_fields = ("measured_at",)

    class Filters(serializers.Serializer):
        measured_after = serializers.DateTimeField(required=False)
        measured_before = serializers.DateTimeField(required=False)

    @extend_schema(
        tags=TAG,
        summary="Metrics reported for a variant, newest first",
        parameters=[Filters],
        responses=page_of(ContentMetricOut),
        operation_id="v1_content_variants_metrics_list",
    )
    def get(self, request, variant_id):
        variant = _variant_or_404(variant_id)
        filters = self.validated(self.Filters, request.query_params)
        metrics = variant.metrics.all()
        if filters.get("measured_after"):
            metrics = metrics.filter(measured_at__gte=filters["measured_after"])
        if filters.get("measured_before"):
            metrics = metrics.filter(measured_at__lt=filters["measured_before"])
        return paginated_response(self, metrics, ContentMetricOut, default_ordering="-measured_at")

    @extend_schema(
        tags=TAG,
        summary="Report a published variant's metrics at a time (a resend for the same time updates)",
        request=MetricsIn,
        responses={201: ContentMetricOut},
    )
    def post(self, request, variant_id):
        _variant_or_404(variant_id)
        data = self.validated(MetricsIn, request.data)
        metric = services.variant_metrics_record(variant_id=variant_id, **data)
        return Response(ContentMetricOut(metric).data, status=status.HTTP_201_CREATED)


class PerformanceOut(serializers.Serializer):
    variant = serializers.UUIDField()
    platform_post_id = serializers.CharField()
    metrics = serializers.DictField(allow_null=True, help_text="The latest reported figures.")
    replies = serializers.IntegerField(help_text="Mentions whose parent id is this post.")
    positive = serializers.IntegerField()
    negative = serializers.IntegerField()
    mean_sentiment = serializers.FloatField(allow_null=True, help_text="-1 … 1")


class VariantPerformanceApi(BrandApiView):
    @extend_schema(
        tags=TAG,
        summary="A published variant's latest metrics and the sentiment of replies to its post",
        responses=PerformanceOut,
    )
    def get(self, request, variant_id):
        variant = _variant_or_404(variant_id)
        return Response(PerformanceOut(selectors.variant_performance(variant=variant)).data)


class SlotOut(serializers.Serializer):
    hour = serializers.IntegerField(help_text="Hour of the day in the brand's time zone.")
    posts = serializers.IntegerField()
    engagement_rate = serializers.FloatField(help_text="(likes+comments+shares+clicks) / reach, mean.")


class SlotSuggestionApi(BrandApiView):
    @extend_schema(
        tags=TAG,
        summary="Best hours to post, from the brand's own published posts and their metrics",
        parameters=[OpenApiParameter("platform", str, enum=PUBLISHING_PLATFORMS)],
        responses=SlotOut(many=True),
    )
    def get(self, request):
        platform = _choice(request.query_params.get("platform"), PUBLISHING_PLATFORMS, "platform")
        slots = selectors.slot_suggestions(timezone_name=request.tenant.timezone, platform=platform)
        return Response(SlotOut(slots, many=True).data)


def _calendar_bound(raw: str | None, name: str, zone) -> datetime:
    """A date (midnight in the brand's zone) or a datetime with its zone."""
    if not raw:
        raise serializers.ValidationError({name: ["Required: a date (YYYY-MM-DD) or a datetime with zone."]})
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = None
    if day is not None:
        return datetime.combine(day, time.min, tzinfo=zone)
    value = serializers.DateTimeField().run_validation(raw)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=zone)
    return value


class CalendarApi(BrandApiView):
    pagination_class = CalendarCursor

    @extend_schema(
        tags=TAG,
        summary="Variants planned or published between start and end (dates in the brand's time zone)",
        parameters=[
            OpenApiParameter("start", str, required=True, description="YYYY-MM-DD or a datetime; inclusive."),
            OpenApiParameter("end", str, required=True, description="YYYY-MM-DD or a datetime; exclusive."),
            OpenApiParameter("platform", str, enum=PUBLISHING_PLATFORMS),
            OpenApiParameter("kind", str, enum=ContentItem.Kind.values),
            OpenApiParameter("status", str, enum=Variant.Status.values),
        ],
        responses=ContentVariantOut(many=True),
    )
    def get(self, request):
        q = request.query_params
        zone = zoneinfo.ZoneInfo(request.tenant.timezone)
        start = _calendar_bound(q.get("start"), "start", zone)
        end = _calendar_bound(q.get("end"), "end", zone)
        if end <= start:
            raise serializers.ValidationError({"end": ["Must be after start."]})
        if end - start > timedelta(days=MAX_CALENDAR_DAYS):
            raise serializers.ValidationError({"end": [f"At most {MAX_CALENDAR_DAYS} days per request."]})
        qs = selectors.calendar_list(
            start=start,
            end=end,
            platform=_choice(q.get("platform"), PUBLISHING_PLATFORMS, "platform"),
            kind=_choice(q.get("kind"), ContentItem.Kind.values, "kind"),
            status=_choice(q.get("status"), Variant.Status.values, "status"),
        )
        return paginated_response(self, qs, ContentVariantOut)


class ChannelIn(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=Channel.Kind.choices)
    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=PUBLISHING_PLATFORM_CHOICES), min_length=1
    )
    webhook_url = serializers.URLField(max_length=500, required=False, allow_blank=True, default="")
    email_to = serializers.EmailField(required=False, allow_blank=True, default="")


class ChannelListApi(BrandApiView):
    write_permission = "content.manage_channels"
    pagination_class = NewestFirstCursor

    class Filters(serializers.Serializer):
        kind = serializers.ChoiceField(choices=Channel.Kind.choices, required=False)
        active = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(
        tags=TAG, summary="Publishing channels", parameters=[Filters], responses=ContentChannelOut(many=True)
    )
    def get(self, request):
        filters = self.validated(self.Filters, request.query_params)
        channels = selectors.channel_list()
        if filters.get("kind"):
            channels = channels.filter(kind=filters["kind"])
        if filters["active"] is not None:
            channels = channels.filter(active=filters["active"])
        return paginated_response(self, channels, ContentChannelOut)

    @extend_schema(
        tags=TAG,
        summary="Add a channel (a webhook channel's signing secret is returned once)",
        request=ChannelIn,
        responses={201: ContentChannelWithSecretOut},
    )
    def post(self, request):
        data = self.validated(ChannelIn, request.data)
        channel, secret = services.channel_create(actor=self.actor, **data)
        body = ContentChannelOut(channel).data
        body["webhook_secret"] = secret
        return Response(body, status=status.HTTP_201_CREATED)


class ChannelDetailApi(BrandApiView):
    @extend_schema(tags=TAG, summary="A publishing channel", responses=ContentChannelOut)
    def get(self, request, channel_id):
        channel = selectors.channel_get(channel_id=channel_id)
        if channel is None:
            raise Http404
        return Response(ContentChannelOut(channel).data)
