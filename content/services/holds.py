"""The crisis hold. While the brand has an open incident at or above its hold severity,
promotional and evergreen variants that fall due are held, not published, with the reason on
them; staff release them one by one. When no such incident is open any more, each held variant
gets a proposed new time, spread out so nothing goes out in a burst, and waits for staff to accept
it. Start and end of each hold are noted on the incident's timeline."""

from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from content.crisis import HoldingIncident, content_event_emit, holding_incident, incident_note
from content.models import ContentItem, ContentSettings, CrisisHold, HistoryEntry, Variant
from content.permissions import require_content_action
from content.services.history import history_record
from tenants.errors import DomainError

H = HistoryEntry.Action
HOLDABLE = Q(item__kind=ContentItem.Kind.PROMOTION) | Q(item__evergreen=True)
# Proposals after a hold: the first an hour after it ends, then at least this far apart (any
# platform) and at least PLATFORM_GAP apart on the same platform.
FIRST_PROPOSAL_AFTER = timedelta(hours=1)
BRAND_GAP = timedelta(hours=1)
PLATFORM_GAP = timedelta(hours=4)


def content_settings_get() -> ContentSettings:
    return ContentSettings.objects.get_or_create(pk=1)[0]


@transaction.atomic
def content_settings_update(
    *, actor, hold_enabled: bool, hold_at_severity: int, client_approval_required: bool | None = None
) -> ContentSettings:
    require_content_action(actor, "manage_channels")
    if hold_at_severity not in ContentSettings.HoldSeverity.values:
        raise DomainError(_("Choose a severity from 1 to 4."), field_errors={"hold_at_severity": ["1–4"]})
    settings_row = ContentSettings.objects.select_for_update().get_or_create(pk=1)[0]
    settings_row.hold_enabled, settings_row.hold_at_severity = bool(hold_enabled), hold_at_severity
    if client_approval_required is not None:  # left out by older callers: kept as it is
        settings_row.client_approval_required = bool(client_approval_required)
    settings_row.save()
    return settings_row


def hold_active_incident() -> HoldingIncident | None:
    settings_row = content_settings_get()
    if not settings_row.hold_enabled:
        return None
    return holding_incident(max_severity=settings_row.hold_at_severity)


def _start_hold(incident: HoldingIncident) -> CrisisHold:
    hold = CrisisHold.objects.filter(incident_id=incident.id, ended_at__isnull=True).first()
    if hold is None:
        hold = CrisisHold.objects.create(incident_id=incident.id, incident_label=incident.label[:300])
        incident_note(
            incident_id=incident.id,
            text=_(
                "Content calendar on hold: promotional and evergreen posts due while this incident is open are held."
            ),
        )
    return hold


def _propose_times(variants: list[Variant], *, start: datetime) -> None:
    last_any: datetime | None = None
    last_by_platform: dict[str, datetime] = {}
    for variant in variants:
        slot = start
        if last_any is not None:
            slot = max(slot, last_any + BRAND_GAP)
        if variant.platform in last_by_platform:
            slot = max(slot, last_by_platform[variant.platform] + PLATFORM_GAP)
        variant.proposed_at = slot
        variant.save(update_fields=["proposed_at", "updated_at"])
        last_any, last_by_platform[variant.platform] = slot, slot


def _end_holds(*, now: datetime, keep_incident: UUID | None) -> int:
    ended = 0
    for hold in CrisisHold.objects.select_for_update().filter(ended_at__isnull=True):
        if hold.incident_id == keep_incident:
            continue
        hold.ended_at = now
        hold.save(update_fields=["ended_at"])
        held = list(
            Variant.objects.select_for_update()
            .filter(hold=hold, status=Variant.Status.HELD)
            .order_by("scheduled_at", "created_at")
        )
        if keep_incident is None:
            _propose_times(held, start=now + FIRST_PROPOSAL_AFTER)
            text = _("Content calendar hold ended: %(n)d held post(s) proposed for rescheduling.") % {
                "n": len(held)
            }
        else:
            text = _("Content calendar hold continues under another open incident.")
        incident_note(incident_id=hold.incident_id, text=text)
        ended += 1
    return ended


@transaction.atomic
def crisis_hold_sweep(*, now: datetime | None = None) -> dict:
    """Hold what falls due during a crisis; end holds whose crisis is over. Runs before every
    publishing claim; serialised on the settings row, so two sweeps never start a hold twice."""
    now = now or timezone.now()
    ContentSettings.objects.get_or_create(pk=1)
    ContentSettings.objects.select_for_update().get(pk=1)
    incident = hold_active_incident()
    ended = _end_holds(now=now, keep_incident=incident.id if incident else None)
    if incident is None:
        return {"held": 0, "ended": ended, "holding": False}
    due = list(
        Variant.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("item")
        .filter(HOLDABLE, status=Variant.Status.SCHEDULED, hold_released=False, scheduled_at__lte=now)
    )
    if not due:
        return {"held": 0, "ended": ended, "holding": True}
    hold = _start_hold(incident)
    reason = _("Held: incident %(incident)s is open.") % {"incident": incident.label}
    for variant in due:
        variant.status, variant.hold, variant.hold_reason, variant.held_at = (
            Variant.Status.HELD,
            hold,
            reason,
            now,
        )
        variant.proposed_at = None
        variant.save(update_fields=["status", "hold", "hold_reason", "held_at", "proposed_at", "updated_at"])
        history_record(item=variant.item, variant=variant, action=H.HELD, comment=reason)
        content_event_emit(event="content.held", variant=variant)
    return {"held": len(due), "ended": ended, "holding": True}


@transaction.atomic
def variant_release(*, variant_id: UUID, actor, at: datetime | None = None) -> Variant:
    """Let one held variant through: scheduled at `at`, else at its proposed time, else now. It
    is not held again by this crisis."""
    require_content_action(actor, "schedule")
    variant = Variant.objects.select_for_update().select_related("item").filter(pk=variant_id).first()
    if variant is None:
        raise DomainError(_("No such variant."))
    if variant.status != Variant.Status.HELD:
        raise DomainError(_("Only a held variant can be released."))
    now = timezone.now()
    at = at or variant.proposed_at or now
    if timezone.is_naive(at):
        raise DomainError(_("Give the time with its zone."), field_errors={"at": [_("Time zone missing.")]})
    if at < now - timedelta(minutes=1):
        raise DomainError(
            _("That time has passed."), field_errors={"at": [_("Choose a time in the future.")]}
        )
    variant.status, variant.scheduled_at, variant.hold_released = Variant.Status.SCHEDULED, at, True
    variant.proposed_at = variant.next_attempt_at = variant.lease_until = None
    variant.save(
        update_fields=[
            "status",
            "scheduled_at",
            "hold_released",
            "proposed_at",
            "next_attempt_at",
            "lease_until",
            "updated_at",
        ]
    )
    history_record(item=variant.item, variant=variant, action=H.RELEASED, actor=actor, comment=at.isoformat())
    return variant
