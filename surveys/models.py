"""Satisfaction surveys (brand schema): surveys and their questions, invitations with personal links,
responses and their answers, and the testimonial candidates consenting respondents become."""

import os
import time
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from tenants.fields import user_ref
from tenants.outbox import OutboxItem


def time_ordered_uuid() -> uuid.UUID:
    """A version-7 UUID (48-bit Unix milliseconds, then 74 random bits): as unguessable in a URL
    as uuid4, but new rows append to the end of the primary-key index instead of touching a
    random page of it, which keeps a busy table's writes (and WAL) small."""
    value = (time.time_ns() // 1_000_000) << 80 | int.from_bytes(os.urandom(10), "big")
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version 7
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


class Bilingual:
    """Text kept in English and Bahasa Indonesia; `localized(field)` picks the active language,
    falling back to the other one when a translation is missing."""

    def localized(self, field: str, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        other = "en" if language == "id" else "id"
        return getattr(self, f"{field}_{language}", "") or getattr(self, f"{field}_{other}", "")


class Survey(Bilingual, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", pgettext_lazy("state", "Open")
        CLOSED = "closed", _("Closed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_id = models.CharField(_("title (Bahasa Indonesia)"), max_length=200, blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True, max_length=2000)
    intro_id = models.TextField(_("introduction (Bahasa Indonesia)"), blank=True, max_length=2000)
    template = models.CharField(_("made from template"), max_length=40, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    # Bumped by every question or option change, so a cached copy of the questions is never stale.
    questions_version = models.PositiveIntegerField(default=1, editable=False)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="copies"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    opened_at = models.DateTimeField(null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title_en or self.title_id

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def intro(self) -> str:
        return self.localized("intro")


class Question(Bilingual, models.Model):
    class Kind(models.TextChoices):
        CSAT = "csat", _("Satisfaction (CSAT, 1–5)")
        NPS = "nps", _("Recommendation (NPS, 0–10)")
        CES = "ces", _("Effort (CES, 1–7)")
        SINGLE_CHOICE = "single_choice", _("Single choice")
        MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        CONSENT = "consent", _("Consent to quote (no, or how to be named)")

    SCALES = {Kind.CSAT: (1, 5), Kind.NPS: (0, 10), Kind.CES: (1, 7)}
    CHOICE_KINDS = frozenset({Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE})
    TEXT_LIMITS = {Kind.SHORT_TEXT: 200, Kind.LONG_TEXT: 4000}

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    text_en = models.CharField(_("question (English)"), max_length=500)
    text_id = models.CharField(_("question (Bahasa Indonesia)"), max_length=500, blank=True)
    help_en = models.CharField(_("help text (English)"), max_length=500, blank=True)
    help_id = models.CharField(_("help text (Bahasa Indonesia)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["position", "text_en"]

    def __str__(self) -> str:
        return self.text_en or self.text_id

    @property
    def text(self) -> str:
        return self.localized("text")

    @property
    def help(self) -> str:
        return self.localized("help")

    @property
    def scale(self) -> tuple[int, int] | None:
        return self.SCALES.get(self.kind)


class Option(Bilingual, models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    text_en = models.CharField(_("option (English)"), max_length=200)
    text_id = models.CharField(_("option (Bahasa Indonesia)"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("option")
        verbose_name_plural = _("options")
        ordering = ["position", "text_en"]

    def __str__(self) -> str:
        return self.text_en or self.text_id

    @property
    def text(self) -> str:
        return self.localized("text")


class Invitation(OutboxItem):
    """One recipient of one survey. Its personal links (InvitationLink) are stored as hashes only;
    the first complete submission sets `answered_at`, and no link of it works again. The outbox
    fields carry the invitation email: pending from the creating transaction until it is sent."""

    class Language(models.TextChoices):
        EN = "en", _("English")
        ID = "id", _("Bahasa Indonesia")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"),
        max_length=2,
        choices=Language.choices,
        blank=True,
        help_text=_("Empty: the respondent's browser language, then the brand's default."),
    )
    # Plain values, not foreign keys: incidents are another app's concern and may be archived.
    incident_id = models.UUIDField(_("incident"), null=True, blank=True, db_index=True)
    mention_author = models.CharField(_("mention author"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    sent_at = models.DateTimeField(_("email sent at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    # The reminder is claimed in the transaction that sends it (the periodic check finds it again
    # while reminded_at is empty); failed attempts are counted here, and after the last one the
    # reminder is failed for good, with the reason, until staff retry it.
    reminder_attempts = models.PositiveSmallIntegerField(_("reminder attempts"), default=0)
    reminder_error = models.CharField(_("reminder error"), max_length=500, blank=True)
    reminder_failed_at = models.DateTimeField(_("reminder failed at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)
    # Set when the person's details were erased (on request or by the brand's retention rule): the
    # row stays for the survey's counts and scores, with no name, email, phone or handle left.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone="") | Q(erased_at__isnull=False),
                name="invitation_has_email_or_phone",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.phone or str(_("(erased)"))


class MessagingChannel(models.Model):
    """The brand's messaging channel, one row per brand schema (pk=1): the webhook of its WhatsApp
    or SMS provider, to which survey invitations and reminders for customers who gave only a phone
    are posted, signed like every outgoing webhook (Standard Webhooks). docs/surveys.md describes
    the body for integrators."""

    class Kind(models.TextChoices):
        WHATSAPP = "whatsapp", _("WhatsApp")
        SMS = "sms", _("SMS")

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.WHATSAPP)
    url = models.URLField(
        _("provider webhook URL"),
        max_length=500,
        blank=True,
        help_text=_("Your WhatsApp or SMS provider's endpoint (or your own relay); https in production."),
    )
    enabled = models.BooleanField(
        _("enabled"), default=False, help_text=_("Send survey links to customers who gave only a phone.")
    )
    # The signing secret is shown once when made or rotated; kept because signing needs it.
    secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("messaging channel")
        verbose_name_plural = _("messaging channel")

    def __str__(self) -> str:
        return str(_("Messaging channel"))

    @property
    def ready(self) -> bool:
        return self.enabled and bool(self.url) and bool(self.secret)

    @property
    def secret_hint(self) -> str:
        return f"{self.secret[:10]}…" if self.secret else ""

    def signing_secrets(self, now=None) -> list[str]:
        """The current secret, and the previous one during a rotation's overlap."""
        now = now or timezone.now()
        signing = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            signing.append(self.previous_secret)
        return signing


class InvitationLink(models.Model):
    """A personal link of an invitation: one is minted at creation (shown once) and one per email
    sent, because only the SHA-256 of a token is kept and an email needs the token itself."""

    id = models.BigAutoField(primary_key=True)
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=16, default="created")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitation link")


class InvitationEmail(models.Model):
    """Log of the emails sent for an invitation; at most one invitation and one reminder each."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")

    id = models.BigAutoField(primary_key=True)
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    to = models.EmailField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitation email")
        constraints = [models.UniqueConstraint(fields=["invitation", "kind"], name="one_email_of_each_kind")]


class Response(models.Model):
    """One complete submission: all its answers were stored in the same transaction."""

    id = models.UUIDField(primary_key=True, default=time_ordered_uuid, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    # One response per invitation, enforced by the database as well as by the claim.
    invitation = models.OneToOneField(Invitation, on_delete=models.PROTECT, related_name="response")
    language = models.CharField(max_length=2)
    submitted_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.invitation} · {self.submitted_at:%Y-%m-%d %H:%M}"


class Answer(models.Model):
    """One answer: a number (scales, consent 1/0), a text, or one chosen option (a multiple-choice
    answer is one row per chosen option). A consent answer keeps in `text` how the respondent
    agreed to be named (first_name, initials or anonymous)."""

    id = models.BigAutoField(primary_key=True)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    # No index of its own: the (question, number) index below serves lookups by question.
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers", db_index=False)
    number = models.SmallIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    option = models.ForeignKey(
        Option, on_delete=models.PROTECT, null=True, blank=True, related_name="answers"
    )

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["question", "number"])]


class TestimonialCandidate(models.Model):
    """A respondent who agreed to be quoted and gave a top score: staff review it before the
    content calendar may use it. How the quote names them is the respondent's own choice, given
    with their consent; staff cannot change it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Attribution(models.TextChoices):
        FIRST_NAME = "first_name", _("First name")
        INITIALS = "initials", _("Initials")
        ANONYMOUS = "anonymous", _("Anonymous")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.OneToOneField(Response, on_delete=models.CASCADE, related_name="testimonial")
    author_name = models.CharField(_("author"), max_length=200, blank=True)
    quote = models.TextField(_("quote"), blank=True)
    # Rows from before the respondent chose are anonymous: no choice of a name is on record.
    attribution = models.CharField(
        _("name the quote by"), max_length=10, choices=Attribution.choices, default=Attribution.ANONYMOUS
    )
    score_kind = models.CharField(max_length=16, blank=True)
    score = models.SmallIntegerField(null=True, blank=True)
    language = models.CharField(max_length=2)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    # The public user (`reviewed_by_id`) and their email as it was, kept if the user is deleted.
    reviewed_by = user_ref(db_index=False)
    reviewed_by_email = models.EmailField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("testimonial candidate")
        verbose_name_plural = _("testimonial candidates")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.author_name or _('Anonymous')}: {self.quote[:60]}"
