"""Crisis-work models: incidents, timeline, team, tasks, responses, moderation, drills, plans.

Fields, constraints and choices only; every state change lives in `incidents/services/`. The
timeline and the moderation log are append-only, guarded in the database by a trigger (see the
migration `crisis_append_only_guards`)."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tenants.fields import user_ref
from tenants.languages import LANGUAGES
from tenants.severity import SCALE_HELP, Severity  # the one scale (alerts and the content hold use it too)

__all__ = [
    "CrisisRole",
    "CrisisSettings",
    "CrisisPlanVersion",
    "Drill",
    "DrillScenario",
    "GuidelineRule",
    "GuidelineVersion",
    "Incident",
    "IncidentAssignment",
    "IncidentMention",
    "IncidentTask",
    "ModerationAction",
    "Response",
    "ResponseKind",
    "SEVERITY_MEANINGS",
    "ResponseTemplate",
    "RosterMember",
    "Severity",
    "SourceCategory",
    "StatusUpdate",
    "TimelineEntry",
    "TimelineKind",
    "incident_number_display",
]


# The brand's own language choices, so the API schema has one language enum.
LANGUAGE_CHOICES = LANGUAGES  # the one list, in tenants


SEVERITY_MEANINGS = {
    Severity.CRITICAL: _(
        "Safety, health or legal exposure, or national media and trending topics; the brand's "
        "licence to operate is at stake. Team assembled within the hour, client updates every 2 hours."
    ),
    Severity.HIGH: _(
        "Spreading beyond the brand's own followers, or a product/service failure hitting many "
        "customers. First public response within 4 hours, client updates every 4 hours."
    ),
    Severity.MEDIUM: _(
        "A clear rise in complaints or a rumour on one platform, still inside the brand's own "
        "audience. Answer within the working day, client update daily."
    ),
    Severity.LOW: _(
        "A handful of complaints or one influential post. Watch, answer as usual, no client "
        "updates on a cadence."
    ),
}
SEVERITY_HELP = " ".join(
    [str(SCALE_HELP), *(f"{label}: {SEVERITY_MEANINGS[value]}" for value, label in Severity.choices)]
)


class SourceCategory(models.TextChoices):
    PRODUCT_DEFECT = "product_defect", _("Product defect")
    SERVICE_FAILURE = "service_failure", _("Service failure")
    COMMUNICATION_FAILURE = "communication_failure", _("Communication failure")
    MISINFORMATION = "misinformation", _("Misinformation / rumour")
    STAFF_CONDUCT = "staff_conduct", _("Staff conduct")
    EXTERNAL_EVENT = "external_event", _("External event")
    OTHER = "other", _("Other")


class CrisisRole(models.TextChoices):
    """Roles a person holds on the crisis team (roster and per-incident assignments)."""

    CRISIS_MANAGER = "crisis_manager", _("Crisis manager")
    SOCIAL_MEDIA_SPECIALIST = "social_media_specialist", _("Social-media specialist")
    SPOKESPERSON = "spokesperson", _("Spokesperson")
    LEGAL = "legal", _("Legal")
    CUSTOMER_CARE = "customer_care", _("Customer care")
    CLIENT_APPROVER = "client_approver", _("Client approver")


class CrisisSettings(models.Model):
    """The brand's crisis settings: one row per brand schema (pk=1). It also holds the incident
    and drill number counters, locked with SELECT … FOR UPDATE when a number is allocated."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_incident_number = models.PositiveIntegerField(default=0, editable=False)
    # Drills count apart (D-1, D-2, …) so the client's incident numbers have no gaps.
    last_drill_number = models.PositiveIntegerField(default=0, editable=False)
    auto_open_max_severity = models.PositiveSmallIntegerField(
        _("auto-open incidents at"),
        choices=Severity.choices,
        null=True,
        blank=True,
        default=Severity.HIGH,
        help_text=_("An alert this severe or worse opens an incident by itself. Empty: never."),
    )
    statement_empathy_gate = models.BooleanField(
        _("empathy gate for statements"),
        default=True,
        help_text=_("Statements that fail the empathy check cannot be submitted or approved."),
    )
    reply_approval_max_severity = models.PositiveSmallIntegerField(
        _("replies need approval at"),
        choices=Severity.choices,
        null=True,
        blank=True,
        default=Severity.HIGH,
        help_text=_(
            "Crisis mode: replies linked to an open incident this severe or worse need approval "
            "before they are sent. Empty: replies never need approval."
        ),
    )
    update_cadence_critical_hours = models.PositiveSmallIntegerField(default=2)
    update_cadence_high_hours = models.PositiveSmallIntegerField(default=4)
    update_cadence_medium_hours = models.PositiveSmallIntegerField(default=24)
    update_cadence_low_hours = models.PositiveSmallIntegerField(
        default=0, help_text=_("0: no client updates on a cadence.")
    )
    reminder_lead_minutes = models.PositiveSmallIntegerField(
        default=60, help_text=_("How long before a task or a client update is due its owner is reminded.")
    )
    incident_join_window_minutes = models.PositiveSmallIntegerField(
        _("one crisis: join window (minutes)"),
        default=360,
        validators=[MaxValueValidator(10080)],
        help_text=_(
            "A brand-wide alert (negative spike, follower drop, unanswered complaints) joins an open "
            "incident active this recently instead of opening another. 0: join only by shared mentions "
            "or the same claim."
        ),
    )

    # Per-severity targets the client report measures incidents against (the severity meanings'
    # "first public response within 4 hours" and friends, as numbers the brand may change).
    first_response_target_critical_minutes = models.PositiveIntegerField(
        _("first response target: critical (minutes)"), default=60
    )
    first_response_target_high_minutes = models.PositiveIntegerField(
        _("first response target: high (minutes)"), default=240
    )
    first_response_target_medium_minutes = models.PositiveIntegerField(
        _("first response target: medium (minutes)"), default=480
    )
    first_response_target_low_minutes = models.PositiveIntegerField(
        _("first response target: low (minutes)"), default=1440
    )
    resolve_target_critical_hours = models.PositiveIntegerField(
        _("resolve target: critical (hours)"), default=24
    )
    resolve_target_high_hours = models.PositiveIntegerField(_("resolve target: high (hours)"), default=72)
    resolve_target_medium_hours = models.PositiveIntegerField(
        _("resolve target: medium (hours)"), default=168
    )
    resolve_target_low_hours = models.PositiveIntegerField(_("resolve target: low (hours)"), default=336)
    review_survey_delay_hours = models.PositiveSmallIntegerField(
        _("post-crisis survey: hours after resolution"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(720)],
        help_text=_(
            "How long after an incident is resolved its affected customers get the survey link "
            "(0 to 720 hours). Empty: the installation's default (REVIEW_SURVEY_DELAY_HOURS, 48)."
        ),
    )
    reviews_need_client_sign_off = models.BooleanField(
        _("reviews need the client's sign-off"),
        default=False,
        help_text=_(
            "A post-crisis review completed by the team waits for the client approver's sign-off on "
            "the report pages before the incident is reviewed. Drills never wait."
        ),
    )

    class Meta:
        verbose_name = _("crisis settings")
        verbose_name_plural = _("crisis settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="crisis_settings_single_row")]

    def __str__(self) -> str:
        return str(_("Crisis settings"))

    def update_cadence_hours(self, severity: int) -> int:
        return {
            Severity.CRITICAL: self.update_cadence_critical_hours,
            Severity.HIGH: self.update_cadence_high_hours,
            Severity.MEDIUM: self.update_cadence_medium_hours,
            Severity.LOW: self.update_cadence_low_hours,
        }[severity]

    def targets_s(self, severity: int) -> tuple[int, int]:
        """(first response, resolve) targets of this severity, in seconds."""
        name = {
            Severity.CRITICAL: "critical",
            Severity.HIGH: "high",
            Severity.MEDIUM: "medium",
            Severity.LOW: "low",
        }[severity]
        return (
            60 * getattr(self, f"first_response_target_{name}_minutes"),
            3600 * getattr(self, f"resolve_target_{name}_hours"),
        )


def incident_number_display(number: int, *, is_drill: bool) -> str:
    """ "#12" or "D-3": a drill's number belongs to the drill sequence and must never read as an
    incident's (the same digits may be both)."""
    return f"D-{number}" if is_drill else f"#{number}"


class Incident(models.Model):
    class Status(models.TextChoices):
        DETECTED = "detected", _("Detected")
        TRIAGED = "triaged", _("Triaged")
        RESPONDING = "responding", _("Responding")
        MONITORING = "monitoring", _("Monitoring")
        RESOLVED = "resolved", _("Resolved")
        REVIEWED = "reviewed", _("Reviewed")
        # Folded into another incident (`merged_into`): terminal, every row moved to the survivor.
        MERGED = "merged", pgettext_lazy("incident status", "Merged")

    OPEN_STATUSES = (Status.DETECTED, Status.TRIAGED, Status.RESPONDING, Status.MONITORING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Unique per sequence: real incidents #1, #2, … and drills D-1, D-2, … (see `display_number`).
    number = models.PositiveIntegerField(_("number"), editable=False)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    severity = models.PositiveSmallIntegerField(
        _("severity"), choices=Severity.choices, default=Severity.MEDIUM, help_text=SEVERITY_HELP
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DETECTED)
    source_category = models.CharField(
        _("source"),
        max_length=32,
        choices=SourceCategory.choices,
        blank=True,
        help_text=_("Where the crisis comes from; required before triage is complete."),
    )
    root_cause_notes = models.TextField(_("root-cause notes"), blank=True)
    resolution_summary = models.TextField(_("resolution summary"), blank=True)
    review_summary = models.TextField(_("review summary"), blank=True)
    affected_platforms = ArrayField(models.CharField(max_length=32), default=list, blank=True)
    is_drill = models.BooleanField(
        _("drill"), default=False, editable=False, help_text=_("Simulated; kept out of client figures.")
    )
    opened_by = user_ref()
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    triaged_at = models.DateTimeField(null=True, blank=True)
    responding_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(default=0)
    status_update_due_at = models.DateTimeField(null=True, blank=True)
    status_update_reminded_at = models.DateTimeField(null=True, blank=True)
    last_status_update_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["status", "severity"]), models.Index(fields=["opened_at"])]
        constraints = [
            models.UniqueConstraint(fields=["is_drill", "number"], name="incident_number_per_sequence")
        ]
        # Object permissions handed out through guardian by role (see incidents/permissions.py).
        permissions = [
            ("view_internal_incident", "See the full timeline and internal notes"),
            ("triage_incident", "Edit, triage and move an open incident"),
            ("resolve_incident", "Resolve, review or reopen an incident"),
            ("manage_team_incident", "Assign and unassign the incident's team"),
            ("manage_tasks_incident", "Create and change the incident's tasks"),
            ("note_incident", "Add notes to the timeline"),
            ("pin_incident", "Pin timeline entries for the client"),
            ("draft_response_incident", "Draft replies and statements"),
            ("approve_reply_incident", "Approve replies in crisis mode"),
            ("approve_statement_incident", "Approve public and holding statements"),
            ("approve_client_incident", "Approve responses sent to the client for approval"),
            ("hide_incident", "Hide and unhide comments"),
            ("delete_request_incident", "Request deletion of comments and ban authors"),
            ("draft_status_update_incident", "Draft client status updates"),
            ("approve_status_update_incident", "Approve and send client status updates"),
        ]

    def __str__(self) -> str:
        return f"{self.display_number} {self.title}"

    @property
    def display_number(self) -> str:
        """The number people see: "#12" for an incident, "D-3" for a drill (a sequence apart)."""
        return incident_number_display(self.number, is_drill=self.is_drill)

    @property
    def label(self) -> str:
        """ "incident #12" or "drill D-3", for texts stored in English (timeline, plan notes)."""
        return f"drill {self.display_number}" if self.is_drill else f"incident {self.display_number}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class TimelineKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    STATUS = "status", _("Status changed")
    REOPENED = "reopened", _("Reopened")
    UPDATED = "updated", _("Details changed")
    NOTE = "note", _("Note")
    PIN = "pin", _("Pinned for the client")
    ALERT_LINKED = "alert_linked", _("Alert linked")
    MENTION_LINKED = "mention_linked", _("Mention linked")
    ROLE_ASSIGNED = "role_assigned", _("Role assigned")
    ROLE_ENDED = "role_ended", _("Role ended")
    TASK = "task", _("Task")
    TASK_REMINDER = "task_reminder", _("Task reminder")
    TASK_ESCALATED = "task_escalated", _("Task escalated")
    RESPONSE = "response", _("Response")
    MODERATION = "moderation", _("Moderation")
    STATUS_UPDATE = "status_update", _("Client status update")
    STATUS_UPDATE_REMINDER = "status_update_reminder", _("Client update reminder")
    MERGED = "merged", _("Incidents merged")
    ALERT_RESOLVED = "alert_resolved", _("Alert condition ended")
    ALERT_REOPENED = "alert_reopened", _("Alert reopened")
    DRILL = "drill", _("Drill")
    CARE = "care", _("Care case")
    REVIEW = "review", _("Post-crisis review")


class TimelineEntry(models.Model):
    """One thing that happened on an incident. Append-only: only `pinned` may ever change."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="timeline")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = user_ref()
    actor_label = models.CharField(max_length=200, blank=True, help_text=_("Who acted, as shown."))
    kind = models.CharField(max_length=32, choices=TimelineKind.choices)
    text = models.TextField()
    data = models.JSONField(default=dict, blank=True)
    pinned = models.BooleanField(default=False, help_text=_("Shown in the client's view."))

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["at"]
        indexes = [models.Index(fields=["incident", "at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"


class IncidentMention(models.Model):
    """A mention linked to an incident as evidence or as something to answer."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="mention_links")
    mention = models.ForeignKey("incidents.Mention", on_delete=models.CASCADE, related_name="incident_links")
    linked_by = user_ref()
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("linked mention")
        constraints = [models.UniqueConstraint(fields=["incident", "mention"], name="incident_mention_once")]


# --- The crisis team ------------------------------------------------------------------------
class RosterMember(models.Model):
    """A person on the brand's crisis team: a user with a grant on the brand, or an outside
    contact (e.g. the client's legal counsel) reached by email and phone."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = user_ref()
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=32, choices=CrisisRole.choices)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    backup = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="backs_up",
        help_text=_("Who steps in when this person cannot be reached."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("roster member")
        verbose_name_plural = _("crisis team roster")
        ordering = ["role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(user__isnull=False), name="roster_user_role_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @property
    def contact_email(self) -> str:
        return self.email or (self.user.email if self.user_id else "")


class IncidentAssignment(models.Model):
    """Who held which role on an incident, from when to when. Active while `ended_at` is empty."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="assignments")
    member = models.ForeignKey(RosterMember, on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=32, choices=CrisisRole.choices)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    assigned_by = user_ref()
    ended_by = user_ref()

    class Meta:
        verbose_name = _("assignment")
        ordering = ["started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "member", "role"],
                condition=Q(ended_at__isnull=True),
                name="assignment_active_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member.name} · {self.get_role_display()}"


class IncidentTask(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("state", "Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    CLOSED_STATUSES = (Status.DONE, Status.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(RosterMember, on_delete=models.PROTECT, related_name="tasks")
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = user_ref()
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("task")
        ordering = ["due_at"]
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return self.title


# --- Client status updates ---------------------------------------------------------------------
class StatusUpdate(models.Model):
    """A status update for the client: conditions, actions, needs. Drafted, approved, then emailed
    to the brand's client viewers; a sent one is pinned on the timeline."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_CLIENT = "pending_client", _("Waiting for the client's approval")
        APPROVED = "approved", _("Approved, sending")
        SENT = "sent", _("Sent")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="status_updates")
    conditions = models.TextField(_("conditions"), help_text=_("Where things stand now."))
    actions = models.TextField(_("actions"), help_text=_("What the team is doing and will do next."))
    needs = models.TextField(_("needs"), blank=True, help_text=_("What the team needs from the client."))
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    requires_client_approval = models.BooleanField(
        _("requires client approval"),
        default=False,
        help_text=_(
            "After the crisis manager's approval, the client's approver signs it off before it is sent."
        ),
    )
    rejection_reason = models.TextField(_("sent back because"), blank=True)
    drafted_by = user_ref()
    approved_by = user_ref()
    client_decided_by = user_ref()
    created_at = models.DateTimeField(auto_now_add=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    client_decided_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("client status update")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.incident} · {self.get_state_display()}"


# --- Responses ------------------------------------------------------------------------------
class ResponseKind(models.TextChoices):
    REPLY = "reply", _("Public reply")
    PRIVATE_MESSAGE = "private_message", _("Move to private messages")
    STATEMENT = "statement", _("Public statement")
    HOLDING_STATEMENT = "holding_statement", _("Holding statement")


class ResponseTemplate(models.Model):
    """A reusable reply from the brand's library. Placeholders: {customer_name}, {product},
    {case_number}, {agent}, {brand}, {incident_number}."""

    class Situation(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint")
        MISUNDERSTANDING = "misunderstanding", _("Misunderstanding")
        RUMOUR_CORRECTION = "rumour_correction", _("Rumour correction")
        APOLOGY = "apology", _("Apology")
        MOVE_TO_DM = "move_to_dm", _("Move to DM")
        HOLDING = "holding", _("Holding statement")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=120)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    situation = models.CharField(_("situation"), max_length=32, choices=Situation.choices)
    kind = models.CharField(
        _("kind"), max_length=32, choices=ResponseKind.choices, default=ResponseKind.REPLY
    )
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("response template")
        ordering = ["situation", "language", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="response_template_name_language")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class Response(models.Model):
    Kind = ResponseKind

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
        APPROVED = "approved", _("Approved, waiting to be sent")
        SENT = "sent", _("Sent")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, null=True, blank=True, related_name="responses"
    )
    mention = models.ForeignKey(
        "incidents.Mention", on_delete=models.PROTECT, null=True, blank=True, related_name="responses"
    )
    kind = models.CharField(max_length=32, choices=ResponseKind.choices)
    language = models.CharField(max_length=2, choices=LANGUAGE_CHOICES)
    text = models.TextField()
    template = models.ForeignKey(ResponseTemplate, on_delete=models.SET_NULL, null=True, blank=True)
    at_fault = models.BooleanField(
        default=True, help_text=_("The brand is at fault, so the reply must apologise.")
    )
    empathy_passed = models.BooleanField(default=False)
    empathy_checks = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    requires_approval = models.BooleanField(default=False, editable=False)
    requires_client_approval = models.BooleanField(
        default=False, help_text=_("Sent to the client's approver; only they may approve it.")
    )
    rejection_reason = models.TextField(blank=True)
    created_by = user_ref()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = user_ref()
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_text = models.TextField(blank=True, help_text=_("The text as approved; it never changes."))
    sent_at = models.DateTimeField(null=True, blank=True)
    external_id = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("response")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=["reply", "private_message"]) | Q(mention__isnull=False),
                name="response_reply_needs_mention",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["statement", "holding_statement"]) | Q(incident__isnull=False),
                name="response_statement_needs_incident",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text[:60]}"

    @property
    def is_statement(self) -> bool:
        return self.kind in (ResponseKind.STATEMENT, ResponseKind.HOLDING_STATEMENT)


# --- Moderation -----------------------------------------------------------------------------
class GuidelineVersion(models.Model):
    """One published version of the brand's community guidelines. Editing publishes a new one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(unique=True, editable=False)
    intro = models.TextField(_("introduction"), blank=True)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = user_ref()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("community guidelines version")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"Community guidelines v{self.version}"


class GuidelineRule(models.Model):
    version = models.ForeignKey(GuidelineVersion, on_delete=models.PROTECT, related_name="rules")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField(blank=True)

    class Meta:
        verbose_name = _("guideline rule")
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="guideline_rule_number_once")
        ]

    def __str__(self) -> str:
        return f"v{self.version.version} rule {self.number}: {self.title}"


class ModerationAction(models.Model):
    """The moderation log. Append-only: only the integration's confirmation may be filled in."""

    class Action(models.TextChoices):
        HIDE = "hide", _("Hide")
        UNHIDE = "unhide", _("Unhide")
        DELETE_REQUEST = "delete_request", _("Delete (request)")
        BAN_AUTHOR = "ban_author", _("Ban author")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    mention = models.ForeignKey(
        "incidents.Mention", on_delete=models.PROTECT, related_name="moderation_actions"
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, null=True, blank=True, related_name="moderation_actions"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    rule = models.ForeignKey(GuidelineRule, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    public_explanation = models.TextField(blank=True)
    author_handle = models.CharField(max_length=200, blank=True)
    platform = models.CharField(max_length=32, blank=True)
    actor = user_ref()
    actor_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    carried_out_at = models.DateTimeField(null=True, blank=True)
    external_ref = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("moderation log entry")
        verbose_name_plural = _("moderation log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.author_handle}"


# --- Drills and the crisis plan ---------------------------------------------------------------
class DrillScenario(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("scenario"))
    severity = models.PositiveSmallIntegerField(choices=Severity.choices, default=Severity.HIGH)
    source_category = models.CharField(max_length=32, choices=SourceCategory.choices, blank=True)
    injects = models.JSONField(
        default=list,
        blank=True,
        help_text=_('Simulated posts, e.g. [{"after_minutes": 5, "platform": "x", "text": "…"}].'),
    )
    # A schedule as an iCalendar RRULE (RFC 5545) over `recurrence_start`, read in the brand's time
    # zone, so "every first Tuesday at 10:00" stays 10:00 across daylight-saving changes.
    recurrence = models.CharField(
        _("recurrence"),
        max_length=500,
        blank=True,
        help_text=_(
            "An iCalendar rule, e.g. FREQ=MONTHLY;BYDAY=1TU (every first Tuesday) or "
            "FREQ=WEEKLY;INTERVAL=2. At most daily. Empty: the scenario does not recur."
        ),
    )
    recurrence_start = models.DateTimeField(
        _("recurrence starts"),
        null=True,
        blank=True,
        help_text=_(
            "The first drill of the schedule; later ones keep its time of day in the brand's time zone."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("drill scenario")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Drill(models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    scenario = models.ForeignKey(DrillScenario, on_delete=models.PROTECT, related_name="drills")
    scheduled_for = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.SCHEDULED)
    incident = models.OneToOneField(
        Incident, on_delete=models.PROTECT, null=True, blank=True, related_name="drill"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    debrief = models.TextField(blank=True)
    figures = models.JSONField(default=dict, blank=True, help_text=_("Response times, in seconds."))
    # Scheduled by the scenario's recurrence (not by hand): at most one such drill waits per scenario.
    recurring = models.BooleanField(_("from the schedule"), default=False, editable=False)
    # How many of the scenario's injects were posted as drill mentions (they are released in order).
    injects_released = models.PositiveSmallIntegerField(default=0, editable=False)
    created_by = user_ref()

    class Meta:
        verbose_name = _("drill")
        ordering = ["-scheduled_for"]
        constraints = [
            models.UniqueConstraint(
                fields=["scenario"],
                condition=Q(recurring=True, state="scheduled"),
                name="drill_one_next_occurrence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.scenario} @ {self.scheduled_for:%Y-%m-%d %H:%M}"


class CrisisPlanVersion(models.Model):
    """One version of the brand's crisis plan. A published version is never changed. A draft (at
    most one open at a time) is what reviews' accepted lessons propose: pre-filled from the
    current version, edited by staff, then published under the next number or discarded with a
    reason. Only published versions are numbered, so the numbers have no gaps."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        DISCARDED = "discarded", _("Discarded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Empty until published: drafts take no number, so discarding one leaves no gap.
    version = models.PositiveIntegerField(unique=True, null=True, blank=True, editable=False)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.PUBLISHED, editable=False
    )
    roles_and_contacts = models.TextField(_("roles and contacts"), blank=True)
    escalation_thresholds = models.TextField(_("escalation thresholds"), blank=True)
    holding_statements = models.TextField(_("holding-statement templates"), blank=True)
    guidelines = models.TextField(_("guidelines"), blank=True)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    # The published version a draft was pre-filled from (its number), to see whether the plan moved on.
    based_on_version = models.PositiveIntegerField(
        _("based on version"), null=True, blank=True, editable=False
    )
    # The accepted lessons proposed as changes, each with where it came from: a list of
    # {"lesson_id", "text", "review_id", "incident_id", "incident_number", "incident_title"}.
    proposed_changes = models.JSONField(_("proposed changes"), default=list, blank=True, editable=False)
    # The reviews whose lessons this version takes in (several reviews can feed one draft).
    source_reviews = models.ManyToManyField(
        "incidents.Review", related_name="plan_versions", blank=True, verbose_name=_("from the reviews")
    )
    created_by = user_ref()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, editable=False)
    published_by = user_ref()
    discarded_at = models.DateTimeField(_("discarded at"), null=True, blank=True, editable=False)
    discarded_by = user_ref()
    discard_reason = models.TextField(_("why it was discarded"), blank=True, editable=False)

    class Meta:
        verbose_name = _("crisis plan version")
        # Drafts (no number) first, then the newest published version.
        ordering = [models.F("version").desc(nulls_first=True), "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"], condition=Q(state="draft"), name="crisis_plan_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(state="published", version__isnull=False)
                | (~Q(state="published") & Q(version__isnull=True)),
                name="crisis_plan_published_numbered",
            ),
            models.CheckConstraint(
                condition=~Q(state="discarded") | ~Q(discard_reason=""), name="crisis_plan_discard_reason"
            ),
        ]

    def __str__(self) -> str:
        if self.state == self.State.PUBLISHED:
            return f"Crisis plan v{self.version}"
        return f"Crisis plan ({self.get_state_display().lower()})"
