"""Reads for early warning: detector settings, mentions, alerts, webhooks and notifications of the
current brand (the connection's schema decides which brand; nothing here filters by brand)."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from incidents.models import (
    Alert,
    DetectorSettings,
    Mention,
    MetricSample,
    Notification,
    WebhookDelivery,
    WebhookSubscription,
)

# More words narrow the result no further in practice and each is one more index condition.
MAX_SEARCH_WORDS = 8


def detector_settings_get() -> DetectorSettings:
    """The brand's thresholds; an unsaved row with the defaults when the brand never set any."""
    return DetectorSettings.objects.filter(pk=1).first() or DetectorSettings(pk=1)


class _UtcIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time, handed to the database in UTC: Python accepts offsets up to ±23:59 but
    PostgreSQL only up to ±15:59, so `+23:08` would be a database error (a 500) instead of a time."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None or parsed.tzinfo is None:
            return parsed
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(_("Enter a valid date/time."), code="invalid") from None


class _UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = _UtcIsoDateTimeField


class MentionFilter(django_filters.FilterSet):
    """Filters of the mention list (API and admin share the names)."""

    platform = django_filters.CharFilter(field_name="platform", lookup_expr="exact")
    kind = django_filters.ChoiceFilter(choices=Mention.Kind.choices)
    band = django_filters.ChoiceFilter(field_name="sentiment_band", choices=Mention.Band.choices)
    language = django_filters.ChoiceFilter(choices=settings.LANGUAGES)
    is_complaint = django_filters.BooleanFilter()
    is_question = django_filters.BooleanFilter()
    is_abuse = django_filters.BooleanFilter()
    is_threat = django_filters.BooleanFilter()
    answered = django_filters.BooleanFilter(field_name="answered_at", lookup_expr="isnull", exclude=True)
    posted_after = _UtcIsoDateTimeFilter(field_name="posted_at", lookup_expr="gte")
    posted_before = _UtcIsoDateTimeFilter(field_name="posted_at", lookup_expr="lt")
    author = django_filters.CharFilter(field_name="author_handle", lookup_expr="iexact")
    q = django_filters.CharFilter(method="search", label="Text contains every word (or part of a word)")

    class Meta:
        model = Mention
        fields: list[str] = []

    def search(self, queryset, name, value):
        return mention_search(queryset, value)


def mention_search(mentions: QuerySet[Mention], q: str) -> QuerySet[Mention]:
    """Mentions whose text contains every word of `q`, case-insensitively, anywhere in a word
    ("kecew" finds "kecewa"), in any language: each word is an ILIKE served by the trigram index
    `mention_text_trgm` (bench/pages.py measures it against full-text search and the old scan)."""
    for word in q.split()[:MAX_SEARCH_WORDS]:
        mentions = mentions.filter(text__icontains=word)
    return mentions


def mention_list() -> QuerySet[Mention]:
    return Mention.objects.all()


def mention_get(*, mention_id) -> Mention:
    return Mention.objects.get(pk=mention_id)


class MetricFilter(django_filters.FilterSet):
    platform = django_filters.CharFilter(field_name="platform", lookup_expr="exact")

    class Meta:
        model = MetricSample
        fields: list[str] = []


def metric_sample_list() -> QuerySet[MetricSample]:
    return MetricSample.objects.all()


class AlertFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(choices=Alert.State.choices)
    detector = django_filters.ChoiceFilter(choices=Alert.Detector.choices)
    # "This severe or worse": lower is worse, so the lookup is `lte` (min_severity=2: SEV1 and SEV2).
    min_severity = django_filters.NumberFilter(
        field_name="severity",
        lookup_expr="lte",
        help_text="Alerts this severe or worse: 1 = SEV1 critical … 4 = SEV4 low (lower is worse), "
        "so min_severity=2 lists SEV1 and SEV2.",
    )

    class Meta:
        model = Alert
        fields: list[str] = []


def alert_list() -> QuerySet[Alert]:
    return Alert.objects.all()


def alert_active_get(*, detector: str, condition_key: str) -> Alert | None:
    return Alert.objects.filter(
        detector=detector, condition_key=condition_key, state__in=Alert.ACTIVE_STATES
    ).first()


def webhook_subscription_list() -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.all()


def webhook_delivery_list(*, subscription_id=None) -> QuerySet[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.select_related("subscription")
    if subscription_id is not None:
        deliveries = deliveries.filter(subscription_id=subscription_id)
    return deliveries


def notification_list_for_user(*, user, unread: bool = False) -> QuerySet[Notification]:
    notifications = Notification.objects.filter(user_id=user.pk)
    return notifications.filter(read_at__isnull=True) if unread else notifications


def reply_sentiment_by_parent(*, platform: str, parent_ids: list[str]) -> dict[str, dict]:
    """Replies from others to the given posts on one platform (a mention whose parent id names
    the post), per post: how many, how many positive and negative, mean sentiment. The content
    app's read of the mentions stream, to show whether a published post moved sentiment."""
    from django.db.models import Avg, Count, Q

    if not parent_ids:
        return {}
    rows = (
        Mention.objects.filter(platform=platform, parent_external_id__in=parent_ids, is_own=False)
        .exclude(parent_external_id="")  # states the index's condition (mention_reply_parent)
        .values("parent_external_id")
        .annotate(
            replies=Count("id"),
            positive=Count("id", filter=Q(sentiment_band=Mention.Band.POSITIVE)),
            negative=Count("id", filter=Q(sentiment_band=Mention.Band.NEGATIVE)),
            mean_sentiment=Avg("sentiment"),
        )
    )
    return {row.pop("parent_external_id"): row for row in rows}
