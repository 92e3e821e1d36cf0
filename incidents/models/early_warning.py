"""Early-warning models: mentions, metrics, detector settings, alerts, webhooks, notifications.

All live in the brand's schema. Users are referenced without a database constraint and without
cascades: users are deleted in the public schema, where brand tables are not visible, so a
cascading foreign key would make Django's deletion collector query tables that do not exist there.
"""

import uuid

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenants.fields import user_ref
from tenants.localization import text_render
from tenants.outbox import OutboxItem
from tenants.severity import SCALE_HELP, Severity

__all__ = [
    "Alert",
    "ContactEmail",
    "DetectorSettings",
    "MetricSample",
    "Mention",
    "Notification",
    "SweepRequest",
    "WebhookDelivery",
    "WebhookSubscription",
]


class RealMentionManager(models.Manager):
    """The brand's real mentions: a drill's simulated posts are left out, so every figure, detector,
    report, export and search built on `Mention.objects` counts only what the public wrote."""

    def get_queryset(self):
        return super().get_queryset().filter(is_drill=False)


class AllMentionsManager(models.Manager):
    """Every mention, a drill's simulated posts included."""


class Mention(models.Model):
    """One post, comment, reply, review or direct message an integration reported about the brand.
    Unique on (platform, external_id): a resend updates counts, it never duplicates. A drill's
    injected posts are mentions too (`is_drill`), reached only through `Mention.all_objects`."""

    class Kind(models.TextChoices):
        POST = "post", _("Post")
        COMMENT = "comment", _("Comment")
        REPLY = "reply", _("Reply")
        REVIEW = "review", _("Review")
        DIRECT_MESSAGE = "direct_message", _("Direct message")

    class Band(models.TextChoices):
        NEGATIVE = "negative", _("Negative")
        NEUTRAL = "neutral", _("Neutral")
        POSITIVE = "positive", _("Positive")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.CharField(_("platform"), max_length=32)
    external_id = models.CharField(_("external id"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    author_handle = models.CharField(_("author handle"), max_length=200)
    author_name = models.CharField(_("author name"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    url = models.CharField(_("URL"), max_length=2000, blank=True)
    posted_at = models.DateTimeField(_("posted at"))
    parent_external_id = models.CharField(_("parent external id"), max_length=200, blank=True)
    reach = models.BigIntegerField(_("reach"), default=0)
    engagement = models.BigIntegerField(_("engagement"), default=0)
    source_language = models.CharField(_("language from the source"), max_length=2, blank=True)
    source_sentiment = models.FloatField(_("sentiment from the source"), null=True, blank=True)

    # Our scoring, filled in by the scoring task after the intake commits.
    language = models.CharField(_("language"), max_length=2, blank=True)
    sentiment = models.FloatField(_("sentiment"), null=True, blank=True)
    sentiment_band = models.CharField(_("sentiment band"), max_length=8, choices=Band.choices, blank=True)
    is_abuse = models.BooleanField(_("abuse"), default=False)
    is_threat = models.BooleanField(_("threat"), default=False)
    is_complaint = models.BooleanField(_("complaint"), default=False)
    is_question = models.BooleanField(_("question"), default=False)
    is_own = models.BooleanField(_("from the brand's own handle"), default=False)
    scored_at = models.DateTimeField(_("scored at"), null=True, blank=True)

    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # A database default too: intake, scoring and the benches write mentions in raw SQL.
    is_drill = models.BooleanField(
        _("drill"),
        default=False,
        db_default=False,
        editable=False,
        help_text=_("A drill's simulated post: never counted in figures, detectors or reports."),
    )

    # The default manager leaves drills out (admin, related lookups, dumps); `all_objects` is for
    # the few places a drill's own mentions are shown and answered (its war room, replies, moderation).
    objects = RealMentionManager()
    all_objects = AllMentionsManager()

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="mention_platform_external_id"),
        ]
        indexes = [
            models.Index(fields=["posted_at"], name="mention_posted_at"),
            # The spike detector counts negatives per window; this keeps it off the other rows.
            models.Index(
                fields=["posted_at"],
                name="mention_negative_posted_at",
                condition=Q(sentiment_band="negative"),
            ),
            # Unanswered complaints: only the few rows still waiting for an answer.
            models.Index(
                fields=["posted_at"],
                name="mention_waiting_posted_at",
                condition=Q(answered_at__isnull=True, is_own=False)
                & (Q(sentiment_band="negative") | Q(is_complaint=True)),
            ),
            # The scoring task claims unscored rows; once scored they leave this index.
            models.Index(
                fields=["received_at"], name="mention_unscored", condition=Q(scored_at__isnull=True)
            ),
            # Rare rows the lists filter by (a few in a thousand): only those rows, newest first.
            models.Index(fields=["posted_at"], name="mention_threat_posted_at", condition=Q(is_threat=True)),
            models.Index(fields=["posted_at"], name="mention_abuse_posted_at", condition=Q(is_abuse=True)),
            models.Index(
                fields=["posted_at"], name="mention_dm_posted_at", condition=Q(kind="direct_message")
            ),
            # Text search (selectors_early_warning.mention_search): `icontains` is UPPER(text) LIKE.
            GinIndex(OpClass(Upper("text"), name="gin_trgm_ops"), name="mention_text_trgm"),
            # Only the brand's own replies are looked up by parent (to mark what they answer).
            models.Index(
                fields=["platform", "parent_external_id"],
                name="mention_own_reply_parent",
                condition=Q(is_own=True),
            ),
            # Others' replies, by the post they answer (a published post's reply sentiment): only
            # replies, a small part of the mentions, so intake pays for few index entries.
            models.Index(
                fields=["platform", "parent_external_id"],
                name="mention_reply_parent",
                condition=Q(is_own=False) & ~Q(parent_external_id=""),
            ),
            # A drill's mentions, a handful per drill: real queries filter them out by a column
            # the existing indexes need not carry; the drill's own lookups use this one.
            models.Index(fields=["posted_at"], name="mention_drill_posted_at", condition=Q(is_drill=True)),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class MetricSample(models.Model):
    """Audience size on one platform at one time, as an integration reported it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    platform = models.CharField(_("platform"), max_length=32)
    measured_at = models.DateTimeField(_("measured at"))
    followers = models.BigIntegerField(_("followers"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("metric sample")
        verbose_name_plural = _("metric samples")
        ordering = ["-measured_at"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "measured_at"], name="metric_platform_measured_at"),
        ]

    def __str__(self) -> str:
        return f"{self.platform} {self.measured_at:%Y-%m-%d %H:%M}: {self.followers}"


class SweepRequest(models.Model):
    """At most one pending scoring (or detector) task per brand: intake claims the row before it
    queues the task, the task clears it before it starts. Mentions waiting to be scored are their
    own record of the work (`scored_at IS NULL`); this row only coalesces the messages."""

    class Kind(models.TextChoices):
        SCORING = "scoring", _("scoring")
        DETECTORS = "detectors", _("detector sweep")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, primary_key=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sweep request")

    def __str__(self) -> str:
        return f"{self.kind}: {self.queued_at or '-'}"


class DetectorSettings(models.Model):
    """The brand's thresholds: one row (pk 1); a brand without a row uses these defaults."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    brand_handles = models.TextField(
        _("brand's own handles"),
        blank=True,
        help_text=_(
            "The brand's accounts, separated by commas or spaces (with or without @). A reply from one of "
            "them marks its parent mention as answered."
        ),
    )
    spike_window_minutes = models.PositiveIntegerField(
        _("spike: window (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(1440)], default=60
    )
    spike_baseline_days = models.PositiveIntegerField(
        _("spike: baseline days"),
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        default=7,
        help_text=_("The same time of day on this many earlier days."),
    )
    spike_min_count = models.PositiveIntegerField(
        _("spike: minimum negative mentions"),
        validators=[MinValueValidator(1)],
        default=20,
        help_text=_("Below this many negative mentions in the window nothing is raised, whatever the ratio."),
    )
    spike_ratio = models.FloatField(
        _("spike: ratio to baseline"), validators=[MinValueValidator(1.0)], default=3.0
    )
    rumour_window_hours = models.PositiveIntegerField(
        _("rumour: window (hours)"), validators=[MinValueValidator(1), MaxValueValidator(72)], default=6
    )
    rumour_min_authors = models.PositiveIntegerField(
        _("rumour: minimum distinct authors"), validators=[MinValueValidator(2)], default=5
    )
    rumour_similarity = models.FloatField(
        _("rumour: text similarity (0–1)"),
        validators=[MinValueValidator(0.1), MaxValueValidator(1.0)],
        default=0.6,
    )
    rumour_max_texts = models.PositiveIntegerField(
        _("rumour: most recent texts compared"),
        validators=[MinValueValidator(10), MaxValueValidator(20000)],
        default=1000,
        help_text=_("A cap that keeps a sweep fast."),
    )
    follower_drop_pct = models.FloatField(
        _("follower drop: percent"),
        validators=[MinValueValidator(0.1), MaxValueValidator(100.0)],
        default=3.0,
    )
    follower_drop_min = models.PositiveIntegerField(_("follower drop: minimum followers lost"), default=100)
    follower_window_hours = models.PositiveIntegerField(
        _("follower drop: window (hours)"),
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        default=24,
    )
    response_target_minutes = models.PositiveIntegerField(
        _("response target (minutes)"), validators=[MinValueValidator(1)], default=60
    )
    unanswered_min_count = models.PositiveIntegerField(
        _("unanswered: minimum complaints"), validators=[MinValueValidator(1)], default=5
    )
    unanswered_lookback_hours = models.PositiveIntegerField(
        _("unanswered: look back (hours)"),
        validators=[MinValueValidator(1), MaxValueValidator(720)],
        default=72,
    )
    alert_cooldown_minutes = models.PositiveIntegerField(
        _("cool-down after a dismissal (minutes)"),
        default=360,
        help_text=_("A dismissed condition is not raised again this soon unless it grows more severe."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("detector settings")
        verbose_name_plural = _("detector settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="detector_settings_singleton")]

    def __str__(self) -> str:
        return str(_("Detector settings"))

    @property
    def handles(self) -> frozenset[str]:
        """The brand's handles, lowercased, without '@'."""
        raw = (self.brand_handles or "").replace(",", " ").split()
        return frozenset(h.lstrip("@").lower() for h in raw if h.lstrip("@"))


class Alert(models.Model):
    """A detector's finding: one open alert per (detector, condition key), updated while the
    condition lasts, never repeated."""

    class Detector(models.TextChoices):
        NEGATIVE_SPIKE = "negative_spike", _("Negative spike")
        RUMOUR = "rumour", _("Rumour")
        FOLLOWER_DROP = "follower_drop", _("Follower drop")
        UNANSWERED_COMPLAINTS = "unanswered_complaints", _("Unanswered complaints")
        # Raised at intake for each mention that threatens violence, harm or doxxing.
        THREAT = "threat", _("Threat or doxxing")

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("state", "Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DISMISSED = "dismissed", _("Dismissed")
        INCIDENT_OPENED = "incident_opened", _("Incident opened")
        # The detector no longer sees the condition; staff may reopen it.
        RESOLVED = "resolved", _("Condition ended")

    # The incidents' scale (1 = SEV1 critical … 4 = SEV4 low, lower is worse), so an alert's
    # severity becomes an incident's as it is, and `Alert.Severity.HIGH` still reads naturally.
    Severity = Severity

    ACTIVE_STATES = (State.OPEN, State.ACKNOWLEDGED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    detector = models.CharField(_("detector"), max_length=32, choices=Detector.choices)
    condition_key = models.CharField(_("condition"), max_length=200)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.OPEN)
    severity = models.PositiveSmallIntegerField(_("severity"), choices=Severity.choices, help_text=SCALE_HELP)
    title = models.CharField(_("title"), max_length=300)
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    evidence = models.JSONField(_("evidence"), default=dict)
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen at"))
    update_count = models.PositiveIntegerField(_("updates"), default=0)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = user_ref(_("acknowledged by"))
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    dismissed_by = user_ref(_("dismissed by"))
    dismiss_reason = models.TextField(_("reason for dismissal"), blank=True)
    resolved_at = models.DateTimeField(_("condition ended at"), null=True, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at"]
        constraints = [
            # The database, not a read-then-write, guarantees one live alert per condition.
            models.UniqueConstraint(
                fields=["detector", "condition_key"],
                condition=Q(state__in=["open", "acknowledged"]),
                name="alert_one_active_per_condition",
            ),
        ]
        indexes = [models.Index(fields=["state", "-raised_at"], name="alert_state_raised")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.state in self.ACTIVE_STATES


class WebhookSubscription(models.Model):
    """An HTTPS endpoint that receives the brand's events, signed with its own secret."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=2000)
    events = models.JSONField(
        _("events"), default=list, help_text=_('Event names such as "alert.raised", or "*" for every event.')
    )
    secret = models.CharField(_("signing secret"), max_length=100, editable=False)
    # After a rotation the old secret also signs until the overlap ends (Standard Webhooks lists
    # one signature per secret), so receivers switch without failed deliveries.
    previous_secret = models.CharField(max_length=100, blank=True, default="", editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = user_ref(_("created by"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str) -> bool:
        return "*" in self.events or event in self.events

    @property
    def secret_hint(self) -> str:
        return f"{self.secret[:10]}…" if self.secret else ""

    def signing_secrets(self, now=None) -> list[str]:
        """The secrets that sign a delivery now: the current one, and the previous one during the
        rotation's overlap."""
        now = now or timezone.now()
        signing = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            signing.append(self.previous_secret)
        return signing


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one subscription, with every attempt logged."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("event"), max_length=64)
    payload = models.JSONField(_("payload"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    attempt_log = models.JSONField(_("attempt log"), default=list, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last status code"), null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="webhook_delivery_status")]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id} ({self.status})"


class Notification(OutboxItem):
    """An in-app notice for one user of this brand; the same notice is also emailed (the outbox
    fields carry the email, pending from the creating transaction until `emailed_at`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = user_ref(_("user"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    # What to say, kept as message ids and parameters (tenants.localization.stored_text) so each
    # reader gets it in their language and zone; subject/body hold the English text for older
    # rows and search.
    message = models.JSONField(_("message"), default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_user_created")]

    def __str__(self) -> str:
        return self.subject_text

    @property
    def subject_text(self) -> str:
        """The subject in the active language and zone."""
        return text_render(self.message.get("subject", self.subject))

    @property
    def body_text(self) -> str:
        """The body in the active language and zone."""
        return text_render(self.message.get("body", self.body))


class ContactEmail(OutboxItem):
    """An email to outside contacts (crisis-roster members without an account), recorded in the
    transaction that decided to send it and delivered by the outbox."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    recipients = models.JSONField(_("recipients"), default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact email")
        verbose_name_plural = _("contact emails")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject
