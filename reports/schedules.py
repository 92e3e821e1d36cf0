"""Scheduled report emails, in the current brand's schema: saving a schedule, queuing the reports
that are due, and sending one delivery.

Once per period and address: each due report is recorded as one ReportDelivery row per address,
unique on (period, address), inserted with ON CONFLICT DO NOTHING under a lock on the schedule, and
handed to the broker after commit. The send claims its row with a conditional UPDATE (the outbox),
so a retried task, a second worker or a sweep finds it taken or done and sends nothing again."""

import logging
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from reports.models import ReportDelivery, ReportSchedule
from reports.periods import Period
from reports.schedule_periods import (
    brand_zone,
    last_complete_month,
    last_complete_week,
    month_period,
    week_period,
)
from tenants import outbox
from tenants.errors import DomainError
from tenants.mail import brand_email, outbox_email_send
from tenants.selectors import brand_client_contacts

logger = logging.getLogger(__name__)

MAX_EXTRA_EMAILS = 20


# --- Saving a schedule -------------------------------------------------------------------------


def schedule_input_clean(*, brand, name: str, frequency: str, send_hour, recipient_ids, extra_emails) -> dict:
    """The schedule's fields, checked: a known frequency, an hour 0–23, contacts who hold a client
    grant on this brand, well-formed extra addresses (one per line or comma separated), at least
    one recipient. Raises DomainError with field errors."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the schedule a name.")]
    if frequency not in ReportSchedule.Frequency.values:
        errors["frequency"] = [_("Choose weekly or monthly.")]
    try:
        hour = int(send_hour)
        if not 0 <= hour <= 23:
            raise ValueError
    except (TypeError, ValueError):
        errors["send_hour"] = [_("Give an hour from 0 to 23.")]
        hour = 0
    contacts = set(brand_client_contacts(brand=brand).values_list("pk", flat=True))
    try:
        ids = sorted({int(pk) for pk in recipient_ids or []})
    except (TypeError, ValueError):
        ids = []
        errors["recipient_ids"] = [_("Choose client contacts of this brand.")]
    if set(ids) - contacts:
        errors["recipient_ids"] = [_("Choose client contacts of this brand.")]
    if isinstance(extra_emails, str):
        extra_emails = extra_emails.replace(",", "\n").splitlines()
    emails = sorted({e.strip().lower() for e in extra_emails or [] if e.strip()})
    bad = []
    for email in emails:
        try:
            validate_email(email)
        except ValidationError:
            bad.append(email)
    if bad:
        errors["extra_emails"] = [_("Not an email address: %(emails)s") % {"emails": ", ".join(bad[:5])}]
    elif len(emails) > MAX_EXTRA_EMAILS:
        errors["extra_emails"] = [_("At most %(n)d extra addresses.") % {"n": MAX_EXTRA_EMAILS}]
    if not errors and not ids and not emails:
        errors["recipient_ids"] = [_("Choose at least one client contact or give an extra address.")]
    if errors:
        raise DomainError(_("The schedule was not saved; see the fields."), field_errors=errors)
    return {
        "name": name,
        "frequency": frequency,
        "send_hour": hour,
        "recipient_ids": ids,
        "extra_emails": emails,
    }


@transaction.atomic
def schedule_save(
    *, brand, schedule: ReportSchedule | None = None, active: bool = True, **fields
) -> ReportSchedule:
    """Create or change a schedule with checked fields (schedule_input_clean's)."""
    data = schedule_input_clean(brand=brand, **fields)
    if schedule is None or schedule._state.adding:
        schedule = schedule or ReportSchedule()
    else:
        schedule = ReportSchedule.objects.select_for_update().get(pk=schedule.pk)
    for name, value in {**data, "active": active}.items():
        setattr(schedule, name, value)
    schedule.save()
    return schedule


# --- Queuing what is due -----------------------------------------------------------------------


def schedule_period(schedule: ReportSchedule, *, zone, now: datetime) -> Period:
    """The last complete period of the schedule's frequency."""
    if schedule.frequency == ReportSchedule.Frequency.WEEKLY:
        return last_complete_week(zone, now)
    return last_complete_month(zone, now)


def _recipients(schedule: ReportSchedule, *, brand, contacts: dict) -> list[tuple[str, int | None, str]]:
    """(address, user id, language) per address, each address once: contacts in their own
    language, extra addresses in the brand's."""
    default = getattr(brand, "default_language", "") or settings.LANGUAGE_CODE
    found: dict[str, tuple[str, int | None, str]] = {}
    for pk in schedule.recipient_ids:
        user = contacts.get(pk)
        if user is not None and user.email:
            found.setdefault(user.email.lower(), (user.email.lower(), user.pk, user.language or default))
    for email in schedule.extra_emails:
        found.setdefault(email.lower(), (email.lower(), None, default))
    return list(found.values())


def schedules_queue_due(
    *, now: datetime | None = None, schedule_ids: list | None = None, ignore_hour: bool = False
) -> int:
    """In the current brand: for each active schedule whose last complete period is due (its send
    hour has passed) and not queued yet, record one delivery per address and hand each over
    after commit. `ignore_hour` (the admin's "send now") skips the wait for the send hour. Running
    it twice, or in two workers at once, queues nothing twice. Returns the deliveries queued."""
    from reports.tasks import report_delivery_send_task  # cycle break: tasks call these services

    brand = connection.tenant
    zone = brand_zone(brand)
    now = now or timezone.now()
    contacts = {u.pk: u for u in brand_client_contacts(brand=brand)}
    schedules = ReportSchedule.objects.filter(active=True)
    if schedule_ids is not None:
        schedules = schedules.filter(pk__in=schedule_ids)
    queued = 0
    for schedule_id in schedules.values_list("pk", flat=True):
        with transaction.atomic():
            schedule = ReportSchedule.objects.select_for_update().filter(pk=schedule_id, active=True).first()
            if schedule is None:
                continue
            period = schedule_period(schedule, zone=zone, now=now)
            due_at = period.end + timedelta(hours=schedule.send_hour)
            if schedule.last_period_start == period.start or (now < due_at and not ignore_hour):
                continue
            rows = [
                ReportDelivery(
                    id=uuid.uuid4(),
                    schedule=schedule,
                    period_start=period.start,
                    period_end=period.end,
                    period_key=period.key,
                    email=email,
                    user_id=user_id,
                    language=language,
                    **outbox.pending_fields(now),
                )
                for email, user_id, language in _recipients(schedule, brand=brand, contacts=contacts)
            ]
            # An address another schedule already has for this period keeps that one delivery.
            ReportDelivery.objects.bulk_create(rows, ignore_conflicts=True)
            inserted = list(
                ReportDelivery.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True)
            )
            ReportSchedule.objects.filter(pk=schedule.pk).update(last_period_start=period.start)
            for pk in inserted:
                outbox.hand_over_on_commit(report_delivery_send_task, str(pk))
            queued += len(inserted)
            logger.info(
                "report schedule %s: %d deliveries for %s", schedule.pk, len(inserted), period.start.date()
            )
    return queued


# --- Sending one delivery ----------------------------------------------------------------------


def _unsent():
    return ReportDelivery.objects.filter(sent_at__isnull=True)


def _delivery_period(delivery: ReportDelivery, zone) -> Period:
    start = delivery.period_start.astimezone(zone)
    if delivery.period_key == "week":
        return week_period(start.date(), zone)
    if delivery.period_key == "month":
        return month_period(start.date(), zone)
    end = delivery.period_end.astimezone(zone)
    return Period(delivery.period_key, "", start, end, start - (end - start), start, zone.key)


def _still_wanted(delivery: ReportDelivery, brand) -> str:
    """Why this delivery must not go any more ("" if it may): a contact who lost their client
    grant, or a schedule switched off or deleted since it was queued."""
    schedule = delivery.schedule
    if schedule is None or not schedule.active:
        return "The schedule was switched off or deleted."
    if delivery.user_id is not None:
        if not brand_client_contacts(brand=brand).filter(pk=delivery.user_id).exists():
            return "No longer a client contact of the brand."
    elif delivery.email not in schedule.extra_emails:
        return "No longer an address of the schedule."
    return ""


def _email(delivery: ReportDelivery, brand, pdf: bytes, period: Period) -> EmailMessage:
    context = {
        "brand_name": brand.name,
        "period_label": period.label,
        "report_url": brand.url("/reports/"),
    }
    subject = render_to_string("reports/email/report_subject.txt", context).strip()
    body = render_to_string("reports/email/report_body.txt", context)
    message = brand_email(subject=subject, body=body, to=[delivery.email], brand=brand)
    from reports.pdf import report_filename

    message.attach(report_filename(brand=brand, period=period), pdf, "application/pdf")
    return message


def report_delivery_send(*, delivery_id) -> bool:
    """Email one delivery's report, once: claimed first (a duplicate or a finished one finds
    nothing), rendered in the delivery's language, recorded as sent right after it went. A failed
    send is pending again for the task's retry or the sweep, and failed after the last attempt.
    Returns whether this call sent it (tenants.mail.outbox_email_send)."""

    def message() -> EmailMessage | str:
        delivery = ReportDelivery.objects.select_related("schedule").get(pk=delivery_id)
        brand = connection.tenant
        refusal = _still_wanted(delivery, brand)
        if refusal:
            return refusal
        # Imported here: the PDF library is loaded by the processes that render a report, not by
        # every worker and web process that imports the schedules at start-up.
        from reports.pdf import report_pdf_for_period

        with translation.override(delivery.language):
            period = _delivery_period(delivery, brand_zone(brand))
            pdf = report_pdf_for_period(brand=brand, period=period, language=delivery.language)
            return _email(delivery, brand, pdf, period)

    return outbox_email_send(
        _unsent(),
        delivery_id,
        message=message,
        record=lambda: outbox.complete(ReportDelivery.objects, delivery_id, sent_at=timezone.now()),
    )


def report_deliveries_sweep() -> int:
    """Hand over again the deliveries the broker never got or whose worker died (outbox sweep)."""
    from reports.tasks import report_delivery_send_task

    return outbox.sweep(_unsent(), report_delivery_send_task)


def report_deliveries_retry_failed(*, delivery_ids: list) -> int:
    """Try these failed deliveries again, with fresh attempts (admin action)."""
    from reports.tasks import report_delivery_send_task

    return outbox.retry_failed(_unsent().filter(pk__in=delivery_ids), report_delivery_send_task)
