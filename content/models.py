"""Positive content (brand schema): the library of content items, their media, one variant per
platform, the channels that publish them, each item's history and each variant's metrics."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tenants.fields import user_ref
from tenants.platforms import PUBLISHING_PLATFORM_CHOICES
from tenants.severity import Severity


class ContentItem(models.Model):
    """One piece of content with its master text; variants adapt it to each platform."""

    class Kind(models.TextChoices):
        TESTIMONIAL = "testimonial", _("Testimonial")
        SUCCESS_STORY = "success_story", _("Success story")
        TIP = "tip", _("Tip / education")
        INSPIRATION = "inspiration", _("Inspiration")
        ANNOUNCEMENT = "announcement", _("Announcement")
        PROMOTION = "promotion", _("Promotion")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        IN_REVIEW = "in_review", _("In review")
        APPROVED = "approved", _("Approved")

    class Language(models.TextChoices):
        EN = "en", _("English")
        ID = "id", _("Bahasa Indonesia")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    master_text = models.TextField(_("master text"), max_length=10000)
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True, verbose_name=_("tags"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    evergreen = models.BooleanField(
        _("evergreen"), default=False, help_text=_("Repeated on a schedule; held during a crisis.")
    )
    # A testimonial made from a survey's approved candidate: plain values, not foreign keys
    # (surveys are another app's concern). Without a candidate on record it is never published.
    testimonial_candidate_id = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    testimonial_survey_id = models.UUIDField(null=True, blank=True, editable=False)
    consent_recorded_at = models.DateTimeField(
        _("consent recorded at"), null=True, blank=True, editable=False
    )
    # The public user (`created_by_id`) and their email as it was, kept if the user is deleted.
    created_by = user_ref(editable=False, db_index=False)
    created_by_email = models.EmailField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("content item")
        verbose_name_plural = _("content items")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"], name="content_item_status_idx")]

    def __str__(self) -> str:
        return self.title


def _media_path(instance, filename: str) -> str:
    return f"content/{instance.item_id}/{uuid.uuid4().hex}/{filename[-100:]}"


class MediaRef(models.Model):
    """A file uploaded to the brand's media storage for an item; its kind is sniffed from its
    bytes, never taken from the name."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        VIDEO = "video", _("Video")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="media")
    file = models.FileField(_("file"), upload_to=_media_path, max_length=300)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    mime_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    alt_text = models.CharField(_("alt text"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("media file")
        verbose_name_plural = _("media files")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class Channel(models.Model):
    """How the brand's posts reach a platform: its publishing integration (signed webhook), an
    email to a person, or by hand (a checklist confirmed by a person)."""

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", _("Signed webhook to the publishing integration")
        EMAIL = "email", _("Email to a person")
        MANUAL = "manual", _("Manual (checklist, confirmed by hand)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    platforms = ArrayField(
        models.CharField(max_length=32, choices=PUBLISHING_PLATFORM_CHOICES),
        verbose_name=_("platforms"),
    )
    webhook_url = models.URLField(_("webhook URL"), blank=True, max_length=500)
    # The signing secret is shown once when made; kept because signing needs it.
    webhook_secret = models.CharField(max_length=100, blank=True, editable=False)
    email_to = models.EmailField(_("email to"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="webhook") | ~Q(webhook_url=""), name="webhook_channel_has_url"
            ),
            models.CheckConstraint(condition=~Q(kind="email") | ~Q(email_to=""), name="email_channel_has_to"),
        ]

    def __str__(self) -> str:
        return self.name


class Variant(models.Model):
    """The item adapted to one platform: its own text and media, its schedule and its fate."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHING = "publishing", _("Publishing")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        HELD = "held", _("Held (crisis)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="variants")
    platform = models.CharField(_("platform"), max_length=32, choices=PUBLISHING_PLATFORM_CHOICES)
    text = models.TextField(_("text"), max_length=70000)
    media = models.ManyToManyField(MediaRef, blank=True, related_name="variants", verbose_name=_("media"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, null=True, blank=True, related_name="variants"
    )
    scheduled_at = models.DateTimeField(_("scheduled at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The platform's own id for the post: mentions whose parent id names it are replies to it.
    platform_post_id = models.CharField(_("platform post id"), max_length=200, blank=True)
    platform_url = models.URLField(_("post URL"), blank=True, max_length=500)
    # Publishing bookkeeping. `attempts` only grows: each claim by the sweep is a new attempt,
    # and a worker starts an attempt only once (`started_attempt`), so a duplicated or retried
    # task message never delivers twice. `failures` counts toward the retry limit and is reset
    # when staff retry a failed variant.
    attempts = models.PositiveIntegerField(default=0, editable=False)
    started_attempt = models.PositiveIntegerField(default=0, editable=False)
    failures = models.PositiveSmallIntegerField(default=0, editable=False)
    next_attempt_at = models.DateTimeField(null=True, blank=True, editable=False)
    lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    handed_off_at = models.DateTimeField(_("handed to the channel at"), null=True, blank=True, editable=False)
    failure_reason = models.CharField(_("failure reason"), max_length=500, blank=True)
    # Crisis hold: why it is held, under which hold, and the time proposed when the crisis ended.
    hold = models.ForeignKey(
        "CrisisHold",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="variants",
        editable=False,
    )
    hold_reason = models.CharField(_("held because"), max_length=500, blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True, editable=False)
    hold_released = models.BooleanField(
        _("released from the hold"),
        default=False,
        editable=False,
        help_text=_("Staff let it through a hold."),
    )
    proposed_at = models.DateTimeField(_("proposed new time"), null=True, blank=True, editable=False)
    # Evergreen repeats (dateutil rrule, every N days from the first publication, until a time or
    # for a count of publications). `publications` counts them; `repeat_anchor` is the first.
    repeat_interval_days = models.PositiveSmallIntegerField(_("repeat every (days)"), null=True, blank=True)
    repeat_until = models.DateTimeField(_("repeat until"), null=True, blank=True)
    repeat_count = models.PositiveSmallIntegerField(_("publish this many times"), null=True, blank=True)
    repeat_anchor = models.DateTimeField(_("first published at"), null=True, blank=True, editable=False)
    publications = models.PositiveIntegerField(_("publications"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["scheduled_at", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["item", "platform"], name="one_variant_per_item_platform"),
            models.UniqueConstraint(
                fields=["platform", "platform_post_id"],
                condition=~Q(platform_post_id=""),
                name="variant_platform_post_id",
            ),
            models.CheckConstraint(
                condition=~Q(status="scheduled") | Q(scheduled_at__isnull=False),
                name="scheduled_variant_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "scheduled_at"], name="content_variant_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.get_platform_display()}"

    @property
    def calendar_at(self):
        return self.published_at or self.scheduled_at


class VariantMetric(models.Model):
    """Performance of a published variant at one time, as an integration reported it."""

    id = models.BigAutoField(primary_key=True)
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="metrics")
    measured_at = models.DateTimeField(_("measured at"))
    reach = models.PositiveBigIntegerField(_("reach"), default=0)
    likes = models.PositiveBigIntegerField(_("likes"), default=0)
    comments = models.PositiveBigIntegerField(_("comments"), default=0)
    shares = models.PositiveBigIntegerField(_("shares"), default=0)
    clicks = models.PositiveBigIntegerField(_("clicks"), default=0)
    received_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("variant metric")
        verbose_name_plural = _("variant metrics")
        ordering = ["-measured_at"]
        constraints = [
            models.UniqueConstraint(fields=["variant", "measured_at"], name="one_metric_per_variant_time")
        ]


class HistoryEntry(models.Model):
    """One step in an item's life (created, submitted, approved, rejected with a comment,
    scheduled, published…), kept for the approval trail."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        SUBMITTED = "submitted", _("Submitted for review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        VARIANT_ADDED = "variant_added", _("Variant added")
        VARIANT_EDITED = "variant_edited", _("Variant edited")
        SCHEDULED = "scheduled", _("Scheduled")
        UNSCHEDULED = "unscheduled", _("Unscheduled")
        HANDED_OFF = "handed_off", _("Handed to the channel")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")
        RETRIED = "retried", _("Retried")
        REPEAT_SET = "repeat_set", _("Repeat set")
        REPEAT_NEXT = "repeat_next", _("Next repeat scheduled")
        HELD = "held", _("Held")
        RELEASED = "released", _("Released")

    id = models.BigAutoField(primary_key=True)
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE, related_name="history")
    variant = models.ForeignKey(
        Variant, on_delete=models.SET_NULL, null=True, blank=True, related_name="history"
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    actor = user_ref(db_index=False)
    actor_email = models.EmailField(_("by"), blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"


class ContentSettings(models.Model):
    """The brand's content settings (one row): from which incident severity the calendar holds
    promotional and evergreen posts, and whether the client approves content."""

    # The incidents' scale: the calendar holds while an incident this severe or worse is open.
    HoldSeverity = Severity

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    hold_enabled = models.BooleanField(_("hold during a crisis"), default=True)
    hold_at_severity = models.PositiveSmallIntegerField(
        _("hold from severity"),
        choices=HoldSeverity.choices,
        default=HoldSeverity.HIGH,
        help_text=_(
            "Promotional and evergreen posts are held while an incident this severe or worse is open "
            "(SEV1 is the worst; SEV4 holds for any incident)."
        ),
    )
    client_approval_required = models.BooleanField(
        _("content needs the client's approval"),
        default=False,
        help_text=_(
            "Items in review wait for the client approver, who approves them (or rejects them with a "
            "comment) on the report pages; the agency's own approvers can still send them back."
        ),
    )
    # The calendar feed's secret link: only its SHA-256 is kept; a new link revokes the old one.
    feed_token_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    feed_created_at = models.DateTimeField(
        _("calendar feed link made at"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("content settings")
        verbose_name_plural = _("content settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_content_settings_row")]

    def __str__(self) -> str:
        return str(_("Content settings"))


class CrisisHold(models.Model):
    """One stretch of time during which an open incident held the calendar. Its start and end
    are also written on the incident's timeline."""

    id = models.BigAutoField(primary_key=True)
    # A plain value, not a foreign key: incidents are another app's concern.
    incident_id = models.UUIDField(_("incident"), db_index=True)
    incident_label = models.CharField(_("incident"), max_length=300)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("crisis hold")
        verbose_name_plural = _("crisis holds")
        ordering = ["-started_at"]
        constraints = [
            # Sweeps also serialise on the settings row; this keeps one open hold per incident.
            models.UniqueConstraint(
                fields=["incident_id"], condition=Q(ended_at__isnull=True), name="one_open_hold_per_incident"
            )
        ]

    def __str__(self) -> str:
        return self.incident_label
