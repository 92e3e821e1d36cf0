"""Reads on content: the library, variants, the calendar, channels and an item's history."""

from collections import defaultdict
from datetime import datetime
from uuid import UUID

from django.db.models import Count, F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from content.crisis import reply_sentiment
from content.models import (
    Channel,
    ContentItem,
    ContentSettings,
    HistoryEntry,
    MediaRef,
    Variant,
    VariantMetric,
)


def item_list(
    *, kind: str | None = None, status: str | None = None, language: str | None = None, tag: str | None = None
) -> QuerySet[ContentItem]:
    qs = ContentItem.objects.annotate(variant_count=Count("variants", distinct=True))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if language:
        qs = qs.filter(language=language)
    if tag:
        qs = qs.filter(tags__contains=[tag.lower()])
    return qs.order_by("-created_at")


def item_get(*, item_id: UUID) -> ContentItem | None:
    return (
        ContentItem.objects.prefetch_related(
            "media",
            Prefetch("variants", queryset=_variants()),
            Prefetch("history", HistoryEntry.objects.all()),
        )
        .filter(pk=item_id)
        .first()
    )


def _variants() -> QuerySet[Variant]:
    return Variant.objects.select_related("item", "channel").prefetch_related(
        Prefetch("media", queryset=MediaRef.objects.order_by("created_at"))
    )


def variant_list(
    *, item_id: UUID | None = None, platform: str | None = None, status: str | None = None
) -> QuerySet[Variant]:
    qs = _variants()
    if item_id:
        qs = qs.filter(item_id=item_id)
    if platform:
        qs = qs.filter(platform=platform)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-created_at")


def variant_get(*, variant_id: UUID) -> Variant | None:
    return _variants().filter(pk=variant_id).first()


def calendar_list(
    *,
    start: datetime,
    end: datetime,
    platform: str | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> QuerySet[Variant]:
    """Variants planned or published in [start, end): planned at their scheduled time, published
    at their publication time."""
    qs = _variants().annotate(calendar_time=Coalesce("published_at", "scheduled_at"))
    qs = qs.filter(calendar_time__gte=start, calendar_time__lt=end)
    if platform:
        qs = qs.filter(platform=platform)
    if kind:
        qs = qs.filter(item__kind=kind)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("calendar_time", "id")


def channel_list(*, active: bool | None = None) -> QuerySet[Channel]:
    qs = Channel.objects.all()
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("-created_at")


def channel_get(*, channel_id: UUID) -> Channel | None:
    return Channel.objects.filter(pk=channel_id).first()


def history_list(*, item_id: UUID) -> QuerySet[HistoryEntry]:
    return HistoryEntry.objects.filter(item_id=item_id).order_by("at", "id")


def variant_performance(*, variant: Variant) -> dict:
    """The latest metrics an integration reported for the variant, and the replies to its post
    in the mentions stream (linked by the post id: a mention whose parent id names it)."""
    latest = variant.metrics.order_by("-measured_at").first()
    replies = {"replies": 0, "positive": 0, "negative": 0, "mean_sentiment": None}
    if variant.platform_post_id:
        replies.update(
            reply_sentiment(platform=variant.platform, post_ids=[variant.platform_post_id]).get(
                variant.platform_post_id, {}
            )
        )
    metrics = None
    if latest is not None:
        metrics = {
            f: getattr(latest, f) for f in ("measured_at", "reach", "likes", "comments", "shares", "clicks")
        }
    return {
        "variant": variant.pk,
        "platform_post_id": variant.platform_post_id,
        "metrics": metrics,
        **replies,
    }


def slot_suggestions(
    *, timezone_name: str, platform: str | None = None, top: int = 3, min_posts: int = 2
) -> list[dict]:
    """Best hours to post, from the brand's own history: for each hour of the day (brand's zone)
    in which at least `min_posts` published variants went out, the mean engagement of their
    latest metrics ((likes + comments + shares + clicks) / reach); the `top` hours, best first.
    Simple on purpose: the brand's own audience, no outside benchmarks."""
    from collections import defaultdict
    from zoneinfo import ZoneInfo

    from django.db.models import OuterRef, Subquery

    from content.models import VariantMetric

    latest = VariantMetric.objects.filter(variant=OuterRef("pk")).order_by("-measured_at")
    qs = Variant.objects.filter(status=Variant.Status.PUBLISHED, published_at__isnull=False).annotate(
        m_reach=Subquery(latest.values("reach")[:1]),
        m_engaged=Subquery(latest.values("likes")[:1])
        + Subquery(latest.values("comments")[:1])
        + Subquery(latest.values("shares")[:1])
        + Subquery(latest.values("clicks")[:1]),
    )
    if platform:
        qs = qs.filter(platform=platform)
    zone = ZoneInfo(timezone_name)
    by_hour: dict[int, list[float]] = defaultdict(list)
    for published_at, reach, engaged in qs.values_list("published_at", "m_reach", "m_engaged")[:5000]:
        if reach:
            by_hour[published_at.astimezone(zone).hour].append(engaged / reach)
    ranked = [
        {"hour": hour, "posts": len(rates), "engagement_rate": round(sum(rates) / len(rates), 4)}
        for hour, rates in by_hour.items()
        if len(rates) >= min_posts
    ]
    ranked.sort(key=lambda r: (-r["engagement_rate"], r["hour"]))
    return ranked[:top]


def published_summary(*, start, end) -> dict:
    """Variants published in [start, end): how many, by the item's kind and by platform, and their
    engagement (likes, comments, shares of each variant's latest reported metrics). What client
    reports read."""
    published = Variant.objects.filter(
        status=Variant.Status.PUBLISHED, published_at__gte=start, published_at__lt=end
    )
    kinds = dict(ContentItem.Kind.choices)
    by_kind = [
        {
            "kind": row["item__kind"],
            "label": str(kinds.get(row["item__kind"], row["item__kind"])),
            "count": row["n"],
        }
        for row in published.values("item__kind").annotate(n=Count("id")).order_by("-n", "item__kind")
    ]
    by_platform = [
        {"platform": row["platform"], "count": row["n"]}
        for row in published.values("platform").annotate(n=Count("id")).order_by("-n", "platform")
    ]
    latest = (
        VariantMetric.objects.filter(variant__in=published)
        .order_by("variant_id", "-measured_at")
        .distinct("variant_id")
        .values_list("likes", "comments", "shares")
    )
    engagement = {"likes": 0, "comments": 0, "shares": 0}
    for likes, comments, shares in latest:
        engagement["likes"] += likes
        engagement["comments"] += comments
        engagement["shares"] += shares
    return {
        "published": sum(row["count"] for row in by_platform),
        "by_kind": by_kind,
        "by_platform": by_platform,
        "engagement": engagement,
    }


def published_performance_list(*, start: datetime, end: datetime, limit: int = 50) -> list[dict]:
    """Posts published in [start, end), newest first (at most `limit`): each with its item's
    title and kind, the reach and engagement (likes + comments + shares + clicks) last reported
    for it, and the replies to it in the mentions stream with their sentiment. One query for the
    posts and their figures, then one per platform for the replies. What client reports show."""
    latest = VariantMetric.objects.filter(variant=OuterRef("pk")).order_by("-measured_at")
    engaged = latest.annotate(engaged=F("likes") + F("comments") + F("shares") + F("clicks"))
    variants = list(
        Variant.objects.filter(status=Variant.Status.PUBLISHED, published_at__gte=start, published_at__lt=end)
        .select_related("item")
        .annotate(
            m_reach=Subquery(latest.values("reach")[:1]),
            m_engaged=Subquery(engaged.values("engaged")[:1]),
        )
        .order_by("-published_at", "id")[:limit]
    )
    post_ids: dict[str, list[str]] = defaultdict(list)
    for variant in variants:
        if variant.platform_post_id:
            post_ids[variant.platform].append(variant.platform_post_id)
    replies = {
        (platform, post_id): row
        for platform, ids in post_ids.items()
        for post_id, row in reply_sentiment(platform=platform, post_ids=ids).items()
    }
    posts = []
    for variant in variants:
        row = (
            replies.get((variant.platform, variant.platform_post_id), {}) if variant.platform_post_id else {}
        )
        posts.append(
            {
                "variant_id": variant.pk,
                "title": variant.item.title,
                "kind": variant.item.get_kind_display(),
                "platform": variant.get_platform_display(),
                "published_at": variant.published_at,
                "url": variant.platform_url,
                "reach": variant.m_reach,
                "engagement": variant.m_engaged,
                "replies": row.get("replies", 0),
                "positive": row.get("positive", 0),
                "negative": row.get("negative", 0),
                "mean_sentiment": row.get("mean_sentiment"),
            }
        )
    return posts


def items_awaiting_client() -> QuerySet[ContentItem]:
    """Items in review that wait for the client approver: none unless the brand requires the
    client's approval (ContentSettings.client_approval_required)."""
    if not ContentSettings.objects.filter(pk=1, client_approval_required=True).exists():
        return ContentItem.objects.none()
    return (
        ContentItem.objects.filter(status=ContentItem.Status.IN_REVIEW)
        .prefetch_related(Prefetch("variants", queryset=Variant.objects.order_by("platform")))
        .order_by("updated_at", "id")
    )
