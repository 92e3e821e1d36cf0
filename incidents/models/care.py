"""Care cases: a public complaint taken private and followed to a resolution and a public closing
reply. The customer's contact details and what was said in private are encrypted at rest
(django-fernet-encrypted-fields) and shown only to the roles `incidents.permissions.CARE_MATRIX`
names. Fields, constraints and choices only; every change lives in `incidents/services/care.py`."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField, EncryptedTextField

from incidents.models.crisis import Incident, Response, RosterMember
from tenants.fields import user_ref

__all__ = ["CareCase", "CareCaseMention", "CareContact", "CareSettings"]


class CareSettings(models.Model):
    """The brand's care targets: one row per brand schema (pk=1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_case_number = models.PositiveIntegerField(default=0, editable=False)
    resolve_within_hours = models.PositiveSmallIntegerField(
        _("resolve within (hours)"),
        default=48,
        help_text=_("A new case is due this many hours after it is opened; its owner is reminded then."),
    )
    escalate_after_hours = models.PositiveSmallIntegerField(
        _("tell the crisis manager after (hours overdue)"),
        default=24,
        help_text=_("How long past its due time an open case is escalated to the crisis manager."),
    )

    class Meta:
        verbose_name = _("care settings")
        verbose_name_plural = _("care settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="care_settings_single_row")]

    def __str__(self) -> str:
        return str(_("Care settings"))


class CareCase(models.Model):
    class State(models.TextChoices):
        NEW = "new", _("New")
        INVITED = "invited", _("Invited to private")
        IN_PRIVATE = "in_private", _("In private conversation")
        RESOLVED = "resolved", _("Resolved")
        UNRESOLVED = "unresolved", _("Closed unresolved")
        UNREACHABLE = "unreachable", _("Customer unreachable")

    OPEN_STATES = (State.NEW, State.INVITED, State.IN_PRIVATE)
    CLOSED_STATES = (State.RESOLVED, State.UNRESOLVED, State.UNREACHABLE)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.PositiveIntegerField(_("number"), unique=True, editable=False)
    platform = models.CharField(_("platform"), max_length=32)
    author_handle = models.CharField(_("customer handle"), max_length=200)
    # Personal data: encrypted at rest, shown only to roles that need it, emptied (NULL) on erasure;
    # the library stores an empty value as NULL, so these are nullable.
    customer_name = EncryptedCharField(_("customer name"), max_length=200, null=True, blank=True)
    customer_email = EncryptedCharField(_("customer email"), max_length=254, null=True, blank=True)
    customer_phone = EncryptedCharField(_("customer phone"), max_length=40, null=True, blank=True)
    incident = models.ForeignKey(
        Incident, on_delete=models.PROTECT, null=True, blank=True, related_name="care_cases"
    )
    owner = models.ForeignKey(
        RosterMember, on_delete=models.PROTECT, null=True, blank=True, related_name="care_cases"
    )
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.NEW)
    opened_by = user_ref()
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    invited_at = models.DateTimeField(null=True, blank=True)
    private_contact_at = models.DateTimeField(
        _("first private contact"), null=True, blank=True, help_text=_("Starts time to private contact.")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    outcome = EncryptedTextField(_("outcome"), null=True, blank=True)
    invitation = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closing_reply = models.ForeignKey(
        Response, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    survey_invitation_id = models.UUIDField(
        _("satisfaction survey invitation"), null=True, blank=True, editable=False
    )  # a surveys.Invitation, by id: the brand apps point at each other without foreign keys
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("care case")
        verbose_name_plural = _("care cases")
        ordering = ["-opened_at"]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["platform", "author_handle"]),
        ]
        constraints = [
            # One open case per customer: a second complaint or a DM joins the open one.
            models.UniqueConstraint(
                fields=["platform", "author_handle"],
                condition=Q(state__in=["new", "invited", "in_private"]),
                name="care_case_one_open_per_author",
            )
        ]

    def __str__(self) -> str:
        return f"C-{self.number} · {self.platform}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()


class CareCaseMention(models.Model):
    """A mention that belongs to a case: the public complaint(s) and the customer's DMs."""

    case = models.ForeignKey(CareCase, on_delete=models.CASCADE, related_name="mention_links")
    mention = models.ForeignKey("incidents.Mention", on_delete=models.PROTECT, related_name="care_links")
    is_private = models.BooleanField(default=False, help_text=_("A direct message, not the public thread."))
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("care case mention")
        ordering = ["linked_at"]
        constraints = [models.UniqueConstraint(fields=["case", "mention"], name="care_case_mention_once")]


class CareContact(models.Model):
    """One contact with the customer in private: channel, direction, what was said, when, who."""

    class Channel(models.TextChoices):
        DM = "dm", _("Direct message")
        CALL = "call", _("Phone call")
        EMAIL = "email", _("Email")
        MEETING = "meeting", _("Meeting")

    class Direction(models.TextChoices):
        OUTGOING = "outgoing", _("We contacted the customer")
        INCOMING = "incoming", _("The customer contacted us")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    case = models.ForeignKey(CareCase, on_delete=models.CASCADE, related_name="contacts")
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=16, choices=Direction.choices)
    summary = EncryptedTextField(_("summary"), null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = user_ref()
    actor_label = models.CharField(max_length=200, blank=True)
    mention = models.ForeignKey(
        "incidents.Mention", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("care contact")
        ordering = ["at"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} · {self.get_direction_display()}"
