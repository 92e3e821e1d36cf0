"""Output serializers shared by the content API views."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from content.models import Channel, ContentItem, HistoryEntry, MediaRef, Variant, VariantMetric
from content.services import variant_rule_breaks


class ContentMediaOut(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = MediaRef
        fields = ["id", "kind", "mime_type", "size", "alt_text", "url", "created_at"]

    def get_url(self, media: MediaRef) -> str:
        return media.file.url


class ContentRuleBreakOut(serializers.Serializer):
    rule = serializers.CharField(help_text="text_length, hashtags, mentions, media_count, media_kind, links")
    message = serializers.CharField()


class ContentVariantOut(serializers.ModelSerializer):
    item_title = serializers.CharField(source="item.title", read_only=True)
    item_kind = serializers.CharField(source="item.kind", read_only=True)
    media = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    channel = serializers.PrimaryKeyRelatedField(read_only=True)
    rule_breaks = serializers.SerializerMethodField()

    class Meta:
        model = Variant
        fields = [
            "id",
            "item",
            "item_title",
            "item_kind",
            "platform",
            "text",
            "media",
            "status",
            "channel",
            "scheduled_at",
            "published_at",
            "platform_post_id",
            "platform_url",
            "attempts",
            "failure_reason",
            "hold_reason",
            "held_at",
            "proposed_at",
            "repeat_interval_days",
            "repeat_until",
            "repeat_count",
            "repeat_anchor",
            "publications",
            "rule_breaks",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(ContentRuleBreakOut(many=True))
    def get_rule_breaks(self, variant: Variant) -> list[dict]:
        return [{"rule": b.rule, "message": b.message} for b in variant_rule_breaks(variant)]


class ContentHistoryOut(serializers.ModelSerializer):
    # Item-level steps have no variant; the actor is empty for the system (documented as such).
    variant = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    actor_email = serializers.CharField(read_only=True, help_text="Empty for the system.")

    class Meta:
        model = HistoryEntry
        fields = ["id", "action", "variant", "comment", "actor_email", "at"]


class ContentItemListOut(serializers.ModelSerializer):
    variant_count = serializers.IntegerField(read_only=True)
    created_by_email = serializers.CharField(read_only=True, help_text="Empty when an integration made it.")

    class Meta:
        model = ContentItem
        fields = [
            "id",
            "kind",
            "title",
            "language",
            "tags",
            "status",
            "evergreen",
            "variant_count",
            "created_by_email",
            "created_at",
            "updated_at",
        ]


class ContentItemOut(serializers.ModelSerializer):
    created_by_email = serializers.CharField(read_only=True, help_text="Empty when an integration made it.")
    media = ContentMediaOut(many=True, read_only=True)
    variants = ContentVariantOut(many=True, read_only=True)
    history = ContentHistoryOut(many=True, read_only=True)

    class Meta:
        model = ContentItem
        fields = [
            "id",
            "kind",
            "title",
            "master_text",
            "language",
            "tags",
            "status",
            "evergreen",
            "testimonial_candidate_id",
            "testimonial_survey_id",
            "consent_recorded_at",
            "created_by_email",
            "created_at",
            "updated_at",
            "media",
            "variants",
            "history",
        ]


class ContentChannelOut(serializers.ModelSerializer):
    class Meta:
        model = Channel
        fields = ["id", "name", "kind", "platforms", "webhook_url", "email_to", "active", "created_at"]


class ContentChannelWithSecretOut(ContentChannelOut):
    webhook_secret = serializers.CharField(help_text="Returned once, when the channel is made.")

    class Meta(ContentChannelOut.Meta):
        fields = [*ContentChannelOut.Meta.fields, "webhook_secret"]


class ContentMetricOut(serializers.ModelSerializer):
    class Meta:
        model = VariantMetric
        fields = ["variant", "measured_at", "reach", "likes", "comments", "shares", "clicks", "received_at"]
