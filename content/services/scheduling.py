"""Putting variants on the calendar and recording what happened to them: schedule (only an
approved item, only a variant that keeps its platform's rules, only through an active channel),
unschedule, the integration's confirmation with the platform's post id and URL, and metrics."""

from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content.crisis import content_event_emit
from content.models import Channel, ContentItem, HistoryEntry, Variant, VariantMetric
from content.permissions import require_content_action
from content.services.evergreen import evergreen_after_publication
from content.services.history import history_record
from content.services.testimonials import testimonial_consent_problem
from tenants.errors import DomainError
from tenants.platforms import platform_get, platform_rule_breaks

H = HistoryEntry.Action
# A time a little in the past is a slow form, not a wish to publish yesterday.
PAST_TOLERANCE = timedelta(minutes=1)
SCHEDULABLE = frozenset({Variant.Status.DRAFT, Variant.Status.SCHEDULED, Variant.Status.FAILED})


def variant_rule_breaks(variant: Variant) -> list:
    """The platform rules this variant breaks now (reads its media)."""
    kinds = [m.kind for m in variant.media.all()]
    return platform_rule_breaks(platform=variant.platform, text=variant.text, media_kinds=kinds)


def _variant_for_update(variant_id: UUID) -> Variant:
    variant = Variant.objects.select_for_update().filter(pk=variant_id).first()
    if variant is None:
        raise DomainError(_("No such variant."))
    return variant


def _channel_for(variant: Variant, channel_id: UUID | None) -> Channel:
    label = platform_get(variant.platform).label
    if channel_id is not None:
        channel = Channel.objects.filter(pk=channel_id, active=True).first()
        if channel is None or variant.platform not in channel.platforms:
            raise DomainError(
                _("That channel is not an active channel for %(platform)s.") % {"platform": label},
                field_errors={"channel": [_("Not an active channel for this platform.")]},
            )
        return channel
    channel = (
        Channel.objects.filter(active=True, platforms__contains=[variant.platform]).order_by("name").first()
    )
    if channel is None:
        raise DomainError(
            _("No active channel publishes to %(platform)s; add one under Channels.") % {"platform": label},
            field_errors={"channel": [_("No channel for this platform.")]},
        )
    return channel


@transaction.atomic
def variant_schedule(*, variant_id: UUID, actor, at: datetime, channel_id: UUID | None = None) -> Variant:
    """Put the variant on the calendar at `at`. Refused, with every broken rule named, when the
    variant breaks its platform's rules. The same time and channel again change nothing."""
    require_content_action(actor, "schedule")
    variant = _variant_for_update(variant_id)
    item = ContentItem.objects.get(pk=variant.item_id)
    if item.status != ContentItem.Status.APPROVED:
        raise DomainError(
            _("Only approved content can be scheduled; this item is %(status)s.")
            % {"status": item.get_status_display()}
        )
    if variant.status not in SCHEDULABLE:
        raise DomainError(
            _("A variant that is %(status)s cannot be scheduled.") % {"status": variant.get_status_display()}
        )
    if timezone.is_naive(at):
        raise DomainError(_("Give the time with its zone."), field_errors={"at": [_("Time zone missing.")]})
    if at < timezone.now() - PAST_TOLERANCE:
        raise DomainError(
            _("That time has passed."), field_errors={"at": [_("Choose a time in the future.")]}
        )
    consent = testimonial_consent_problem(item)
    if consent:
        raise DomainError(consent, field_errors={"consent": [consent]})
    breaks = variant_rule_breaks(variant)
    if breaks:
        raise DomainError(
            _("This variant breaks the rules of its platform: %(rules)s")
            % {"rules": " ".join(b.message for b in breaks)},
            field_errors={"rules": [f"{b.rule}: {b.message}" for b in breaks]},
        )
    channel = _channel_for(variant, channel_id)
    if (
        variant.status == Variant.Status.SCHEDULED
        and variant.scheduled_at == at
        and variant.channel_id == channel.pk
    ):
        return variant
    variant.status, variant.scheduled_at, variant.channel = Variant.Status.SCHEDULED, at, channel
    # A fresh schedule starts the publishing bookkeeping over (a failed variant rescheduled).
    variant.failure_reason, variant.failures, variant.hold_released = "", 0, False
    variant.next_attempt_at = variant.lease_until = variant.handed_off_at = variant.proposed_at = None
    variant.save(
        update_fields=[
            "status",
            "scheduled_at",
            "channel",
            "failure_reason",
            "failures",
            "next_attempt_at",
            "lease_until",
            "handed_off_at",
            "hold_released",
            "proposed_at",
            "updated_at",
        ]
    )
    history_record(
        item=item,
        variant=variant,
        action=H.SCHEDULED,
        actor=actor,
        comment=f"{variant.platform} {at.isoformat()} via {channel.name}",
    )
    return variant


@transaction.atomic
def variant_unschedule(*, variant_id: UUID, actor) -> Variant:
    """Take a scheduled (or held) variant off the calendar, back to draft. A repeat is a no-op."""
    require_content_action(actor, "schedule")
    variant = _variant_for_update(variant_id)
    if variant.status == Variant.Status.DRAFT:
        return variant
    if variant.status not in (Variant.Status.SCHEDULED, Variant.Status.HELD, Variant.Status.FAILED):
        raise DomainError(_("Only a scheduled, held or failed variant can be unscheduled."))
    variant.status = Variant.Status.DRAFT
    variant.save(update_fields=["status", "updated_at"])
    history_record(item=variant.item, variant=variant, action=H.UNSCHEDULED, actor=actor)
    return variant


@transaction.atomic
def variant_confirm_published(*, variant_id: UUID, actor, platform_post_id: str, url: str = "") -> Variant:
    """The integration (or a person, for a manual channel) reports the post is live, with the
    platform's post id and URL. The same confirmation again is a no-op; a different post id for
    a published variant is refused (one variant is one post)."""
    require_content_action(actor, "confirm")
    platform_post_id = (platform_post_id or "").strip()
    if not platform_post_id:
        raise DomainError(
            _("The platform's post id is required."), field_errors={"platform_post_id": [_("Required.")]}
        )
    variant = _variant_for_update(variant_id)
    if variant.platform_post_id == platform_post_id and variant.status != Variant.Status.PUBLISHED:
        # An evergreen variant back on the calendar: this repeats the last occurrence's
        # confirmation, which must not count as the next one.
        return variant
    if variant.status == Variant.Status.PUBLISHED:
        if variant.platform_post_id == platform_post_id:
            return variant
        raise DomainError(
            _("This variant was already published as post %(id)s.") % {"id": variant.platform_post_id},
            field_errors={"platform_post_id": [_("Already published under another id.")]},
        )
    if variant.status not in (Variant.Status.SCHEDULED, Variant.Status.PUBLISHING, Variant.Status.FAILED):
        raise DomainError(
            _("A variant that is %(status)s cannot be confirmed as published.")
            % {"status": variant.get_status_display()}
        )
    taken = (
        Variant.objects.filter(platform=variant.platform, platform_post_id=platform_post_id)
        .exclude(pk=variant.pk)
        .exists()
    )
    if taken:
        raise DomainError(
            _("Another variant is already that post."),
            field_errors={"platform_post_id": [_("Already used.")]},
        )
    variant.status, variant.lease_until = Variant.Status.PUBLISHED, None
    variant.published_at = timezone.now()
    variant.platform_post_id, variant.platform_url, variant.failure_reason = platform_post_id, url or "", ""
    variant.save(
        update_fields=[
            "status",
            "published_at",
            "lease_until",
            "platform_post_id",
            "platform_url",
            "failure_reason",
            "updated_at",
        ]
    )
    history_record(
        item=variant.item, variant=variant, action=H.PUBLISHED, actor=actor, comment=url or platform_post_id
    )
    content_event_emit(event="content.published", variant=variant)
    evergreen_after_publication(variant=variant, now=timezone.now())
    return variant


@transaction.atomic
def variant_metrics_record(
    *,
    variant_id: UUID,
    measured_at: datetime,
    reach: int = 0,
    likes: int = 0,
    comments: int = 0,
    shares: int = 0,
    clicks: int = 0,
) -> VariantMetric:
    """Store the figures of a published variant at one time; a resend for the same time updates."""
    variant = Variant.objects.filter(pk=variant_id).first()
    if variant is None:
        raise DomainError(_("No such variant."))
    if variant.status != Variant.Status.PUBLISHED:
        raise DomainError(_("Metrics are recorded for published variants only."))
    metric, _created = VariantMetric.objects.update_or_create(
        variant=variant,
        measured_at=measured_at,
        defaults={"reach": reach, "likes": likes, "comments": comments, "shares": shares, "clicks": clicks},
    )
    return metric
