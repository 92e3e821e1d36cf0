"""Post-crisis reviews: one per incident, opened when it is resolved. The review row is also the
outbox record of its figures computation; customers surveyed, team feedback, action items and
lessons hang off it. Fields and choices only; the workflow lives in incidents/services/reviews.py."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from incidents.models.crisis import CrisisPlanVersion, Incident, RosterMember, Severity
from tenants.fields import user_ref
from tenants.outbox import OutboxItem

__all__ = [
    "REVIEW_DUE_DAYS",
    "REVIEW_STEPS",
    "review_steps_for",
    "Review",
    "ReviewActionItem",
    "ReviewCustomer",
    "ReviewFeedback",
    "ReviewLesson",
]

# Days from resolution until the review is due, by severity: the worse the crisis, the sooner
# its lessons must be written down (Rootly-style per-severity deadlines).
REVIEW_DUE_DAYS = {Severity.CRITICAL: 3, Severity.HIGH: 5, Severity.MEDIUM: 10, Severity.LOW: 14}


# The steps of a review, in order. Figures, survey and plan are marked done by the work itself;
# the others by people. Any step can be skipped with a reason.
REVIEW_STEPS = {
    "figures": _("Figures computed"),
    "survey": _("Customer survey sent"),
    "feedback": _("Team feedback collected"),
    "debrief": _("Debrief held"),
    "lessons": _("Lessons written"),
    "follow_ups": _("Follow-ups agreed"),
    "plan": _("Crisis plan updated"),
    # Added when the team completes the review of a brand whose reviews need the client's sign-off.
    "client_sign_off": _("Client sign-off"),
}
# Which steps each severity's policy asks for: a low-severity crisis needs no debrief or plan change.
# The client's sign-off is not a policy step: it is added only when the brand asks for it.
_ALL_POLICY_STEPS = tuple(key for key in REVIEW_STEPS if key != "client_sign_off")
_STEPS_BY_SEVERITY = {
    Severity.CRITICAL: _ALL_POLICY_STEPS,
    Severity.HIGH: _ALL_POLICY_STEPS,
    Severity.MEDIUM: ("figures", "survey", "feedback", "lessons", "follow_ups", "plan"),
    Severity.LOW: ("figures", "survey", "lessons"),
}


def review_steps_for(severity: int) -> dict:
    """The initial `steps` of a review of this severity: every step of its policy, pending."""
    return {key: {"state": "pending", "reason": "", "at": None} for key in _STEPS_BY_SEVERITY[severity]}


class Review(OutboxItem):
    """The post-crisis review of one incident. `outbox_*` tracks the figures computation."""

    class State(models.TextChoices):
        OPEN = "open", pgettext_lazy("state", "Open")
        # Completed by the team, waiting for the client approver (CrisisSettings.reviews_need_client_sign_off).
        AWAITING_SIGN_OFF = "awaiting_sign_off", _("Waiting for the client's sign-off")
        COMPLETED = "completed", _("Completed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # One review per incident: the unique key is what makes opening it idempotent.
    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="review")
    is_drill = models.BooleanField(_("drill"), default=False, editable=False)
    state = models.CharField(_("state"), max_length=24, choices=State.choices, default=State.OPEN)
    owner = user_ref()
    due_at = models.DateTimeField(_("due at"))
    summary = models.TextField(_("summary"), blank=True)
    steps = models.JSONField(
        _("steps"),
        default=dict,
        blank=True,
        help_text=_("Each step of the policy: pending, done or skipped."),
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    figures_method = models.JSONField(
        _("how the figures were computed"), default=dict, blank=True, help_text=_("One line per figure.")
    )
    figures_computed_at = models.DateTimeField(_("figures computed at"), null=True, blank=True)
    survey_due_at = models.DateTimeField(_("customer survey due at"))
    survey_sent_at = models.DateTimeField(_("customer survey sent at"), null=True, blank=True)
    survey_invitations = models.PositiveIntegerField(_("customers invited"), default=0)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the owner was sent the team-feedback digest: claimed once, so it is sent once.
    feedback_digest_sent_at = models.DateTimeField(
        _("feedback digest sent at"), null=True, blank=True, editable=False
    )
    # The published plan version that took in this review's lessons (the newest, if several did).
    plan_version = models.ForeignKey(
        CrisisPlanVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="reviews"
    )
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = user_ref()
    signed_off_at = models.DateTimeField(_("client signed off at"), null=True, blank=True)
    signed_off_by = user_ref()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("post-crisis review")
        verbose_name_plural = _("post-crisis reviews")
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["state", "due_at"], name="review_state_due")]

    def __str__(self) -> str:
        return f"Review of {self.incident}"


class ReviewCustomer(models.Model):
    """A customer affected by the incident, with a contact to survey. Mentions carry only handles,
    so contacts come from staff (by hand or an integration's customer ids) or care cases."""

    class Source(models.TextChoices):
        STAFF = "staff", _("Added by staff")
        INTEGRATION = "integration", _("From the integration")
        CARE_CASE = "care_case", _("From a care case")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="customers")
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    mention_author = models.CharField(_("mention author"), max_length=200, blank=True)
    # The integration's own id for the customer: posting the same id again updates this row.
    external_id = models.CharField(_("integration's customer id"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.STAFF)
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("affected customer")
        verbose_name_plural = _("affected customers")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=~Q(email="") | ~Q(phone=""), name="review_customer_contact"),
            models.UniqueConstraint(
                fields=["review", "email"], condition=~Q(email=""), name="review_customer_email_once"
            ),
            models.UniqueConstraint(
                fields=["review", "external_id"],
                condition=~Q(external_id=""),
                name="review_customer_external_id_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.phone


class ReviewFeedback(models.Model):
    """One team member's feedback on how the incident went: asked when the review opens."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="feedback")
    member = models.ForeignKey(RosterMember, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating (1–5)"), null=True, blank=True)
    text = models.TextField(_("feedback"), blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("team feedback")
        verbose_name_plural = _("team feedback")
        ordering = ["requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["review", "member"], name="review_feedback_once"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="review_feedback_rating",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member.name}: {self.rating or '–'}"


class ReviewActionItem(models.Model):
    """A follow-up agreed in the review."""

    class Status(models.TextChoices):
        OUTSTANDING = "outstanding", _("Outstanding")
        COMPLETED = "completed", _("Completed")
        NOT_DOING = "not_doing", _("Not doing")

    class Priority(models.IntegerChoices):
        """Lower is more urgent, like severity, so `order_by("priority")` lists the urgent first."""

        HIGH = 1, _("High")
        MEDIUM = 2, _("Medium")
        LOW = 3, _("Low")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(_("title"), max_length=200)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    owner = models.ForeignKey(RosterMember, on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OUTSTANDING)
    reason = models.TextField(_("reason (not doing)"), blank=True)
    visible_to_client = models.BooleanField(_("visible to the client"), default=False)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["priority", "due_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="not_doing") | ~Q(reason=""), name="action_item_reason"
            )
        ]

    def __str__(self) -> str:
        return self.title


class ReviewLesson(models.Model):
    """A lesson learned. Accepted lessons go into the next version of the brand's crisis plan."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="lessons")
    text = models.TextField(_("lesson"))
    accepted = models.BooleanField(_("accepted for the plan"), default=False)
    visible_to_client = models.BooleanField(_("visible to the client"), default=True)
    created_by = user_ref()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]
