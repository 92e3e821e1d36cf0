"""Scheduled report emails (brand schema): a schedule says how often the brand's report goes to
which client contacts, and each delivery is one report for one period to one address, unique on
(period, address), so no period's report reaches anyone twice, whatever retries or workers do."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.fields import user_ref
from tenants.outbox import OutboxItem


class ReportSchedule(models.Model):
    """The brand's report, emailed as a PDF every week (Monday to Sunday) or month, once the period
    is over, at `send_hour` in the brand's time zone."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Weekly (last Monday to Sunday)")
        MONTHLY = "monthly", _("Monthly (last calendar month)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=120)
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    send_hour = models.PositiveSmallIntegerField(
        _("send at hour"),
        default=8,
        validators=[MaxValueValidator(23)],
        help_text=_("Hour of the day (0–23) in the brand's time zone."),
    )
    # Public user ids of client contacts (people with a client grant on the brand), checked again
    # at each send: a contact whose grant is gone gets nothing. Not a foreign key: users live in
    # the public schema and are deleted there.
    recipient_ids = models.JSONField(_("client contacts"), default=list, blank=True)
    extra_emails = models.JSONField(_("extra addresses"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_period_start = models.DateTimeField(_("last period queued"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(send_hour__lte=23), name="report_schedule_send_hour_0_23"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_frequency_display()})"


class ReportDelivery(OutboxItem):
    """One scheduled report for one period to one address; the outbox fields carry the email."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    schedule = models.ForeignKey(
        ReportSchedule,
        verbose_name=_("schedule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    period_start = models.DateTimeField(_("period start"))
    period_end = models.DateTimeField(_("period end"))
    period_key = models.CharField(_("period kind"), max_length=8)
    email = models.EmailField(_("to"))
    # The public user this goes to (None for an extra address); no constraint, see recipient_ids.
    user = user_ref(_("client contact"))
    language = models.CharField(_("language"), max_length=5, choices=settings.LANGUAGES)
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("report delivery")
        verbose_name_plural = _("report deliveries")
        ordering = ["-period_start", "email"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_start", "period_end", "email"], name="one_report_per_period_and_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.period_start:%Y-%m-%d}"
