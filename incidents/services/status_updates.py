"""Client status updates on a cadence set by severity: drafted in the war room (conditions,
actions, needs), approved by the crisis manager — and, when marked so, signed off by the client's
approver on the report page — then emailed to the brand's client people and pinned on the
timeline; a reminder goes out when the next one is due."""

from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Incident, StatusUpdate, TimelineKind
from incidents.permissions import incident_can, require_incident_action
from incidents.services.incidents import status_update_schedule
from incidents.services.notifications import notify
from incidents.services.responses import decision_comment_clean
from incidents.services.settings import crisis_settings_get
from incidents.services.team import incident_crisis_managers
from incidents.services.timeline import timeline_record
from tenants.errors import DomainError, text_checked
from tenants.localization import stored_text
from tenants.models import BrandGrant, User

# The one limit on each of a status update's texts: the API and the war room describe and obey it.
STATUS_UPDATE_TEXT_MAX = 8000


@transaction.atomic
def status_update_draft(
    *,
    incident_id: UUID,
    actor: User | None,
    conditions: str,
    actions: str,
    needs: str = "",
    requires_client_approval: bool = False,
) -> StatusUpdate:
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    require_incident_action(actor, "draft_status_update", incident)
    errors = {}
    conditions, actions, needs = (
        text_checked(value, field=name, max_length=STATUS_UPDATE_TEXT_MAX, errors=errors)
        for name, value in (("conditions", conditions), ("actions", actions), ("needs", needs))
    )
    if not conditions:
        errors.setdefault("conditions", []).append("Say where things stand.")
    if not actions:
        errors.setdefault("actions", []).append("Say what the team is doing.")
    if errors:
        raise DomainError("A status update needs conditions and actions.", field_errors=errors)
    update = StatusUpdate.objects.create(
        incident=incident,
        conditions=conditions,
        actions=actions,
        needs=needs,
        requires_client_approval=requires_client_approval,
        drafted_by=actor if getattr(actor, "pk", None) else None,
    )
    timeline_record(
        incident=incident,
        actor=actor,
        kind=TimelineKind.STATUS_UPDATE,
        text="Drafted a client status update",
        data={"status_update_id": str(update.pk), "event": "drafted"},
    )
    return update


def status_update_body(update: StatusUpdate) -> str:
    incident = update.incident
    parts = [
        f"{incident.label.capitalize()}: {incident.title}",
        f"Status: {incident.get_status_display()} · Severity: {incident.get_severity_display()}",
        "",
        "Conditions:",
        update.conditions,
        "",
        "Actions:",
        update.actions,
    ]
    if update.needs:
        parts += ["", "What we need from you:", update.needs]
    return "\n".join(parts)


def _lock_update(status_update_id: UUID) -> tuple[StatusUpdate, Incident]:
    update = StatusUpdate.objects.select_for_update().select_related("incident").get(pk=status_update_id)
    incident = Incident.objects.select_for_update().get(pk=update.incident_id)
    update.incident = incident
    return update, incident


@transaction.atomic
def status_update_approve(*, status_update_id: UUID, actor: User | None, comment: str = "") -> StatusUpdate:
    """Approve a client status update for whoever it waits for: a draft needs the crisis manager
    (then it is sent, or waits for the client's approver when marked so); one waiting for the
    client needs the client approver assigned to the incident, whose comment goes on the timeline.
    Sending emails the client's people (after commit), pins it on the timeline and schedules the
    next one. Approving twice is a no-op."""
    update, incident = _lock_update(status_update_id)
    if update.state in (StatusUpdate.State.APPROVED, StatusUpdate.State.SENT):
        return update
    now = timezone.now()
    if update.state == StatusUpdate.State.PENDING_CLIENT:
        if actor is not None and not incident_can(actor, "approve_client", incident):
            if incident_can(actor, "approve_status_update", incident):
                return update  # the crisis manager's approval, repeated: it already waits for the client
            require_incident_action(actor, "approve_client", incident)
        comment = decision_comment_clean(comment)
        update.client_decided_by = actor if getattr(actor, "pk", None) else None
        update.client_decided_at = now
        update.save(update_fields=["client_decided_by", "client_decided_at"])
        timeline_record(
            incident=incident,
            actor=actor,
            kind=TimelineKind.STATUS_UPDATE,
            text="Client approved the status update" + (f"\nComment: {comment}" if comment else ""),
            data={"status_update_id": str(update.pk), "event": "client_approved", "comment": comment},
            pinned=True,
        )
        return _send(update, incident, actor=actor, now=now)
    require_incident_action(actor, "approve_status_update", incident)
    update.approved_by = actor if getattr(actor, "pk", None) else None
    update.approved_at = now
    if update.requires_client_approval:
        update.state = StatusUpdate.State.PENDING_CLIENT
        update.rejection_reason = ""
        update.save(update_fields=["state", "approved_by", "approved_at", "rejection_reason"])
        timeline_record(
            incident=incident,
            actor=actor,
            kind=TimelineKind.STATUS_UPDATE,
            text="Sent a status update to the client for approval",
            data={"status_update_id": str(update.pk), "event": "submitted"},
        )
        notify(
            subject=f"Waiting for your approval: update on incident #{incident.number}",
            body=status_update_body(update),
            link=f"/reports/incidents/{incident.pk}/",
            roles=[BrandGrant.Role.CLIENT_APPROVER],
        )
        return update
    update.save(update_fields=["approved_by", "approved_at"])
    return _send(update, incident, actor=actor, now=now)


@transaction.atomic
def status_update_reject(*, status_update_id: UUID, actor: User | None, reason: str) -> StatusUpdate:
    """The client's approver sends an update waiting for them back to the team as a draft, with
    the reason on the timeline. Repeating the same send-back changes nothing."""
    update, incident = _lock_update(status_update_id)
    if update.state == StatusUpdate.State.DRAFT and update.rejection_reason == (reason or "").strip() != "":
        return update
    if update.state != StatusUpdate.State.PENDING_CLIENT:
        raise DomainError("Only a status update waiting for the client's approval can be sent back.")
    require_incident_action(actor, "approve_client", incident)
    reason = decision_comment_clean(reason, required=True, field="reason")
    update.state, update.rejection_reason = StatusUpdate.State.DRAFT, reason
    update.client_decided_by = actor if getattr(actor, "pk", None) else None
    update.client_decided_at = timezone.now()
    update.save(update_fields=["state", "rejection_reason", "client_decided_by", "client_decided_at"])
    timeline_record(
        incident=incident,
        actor=actor,
        kind=TimelineKind.STATUS_UPDATE,
        text=f"Client sent the status update back for changes: {reason}",
        data={"status_update_id": str(update.pk), "event": "client_rejected", "comment": reason},
        pinned=True,  # the client sees their own decision
    )
    return update


def _send(update: StatusUpdate, incident: Incident, *, actor: User | None, now) -> StatusUpdate:
    update.state = StatusUpdate.State.SENT
    update.sent_at = now
    update.save(update_fields=["state", "sent_at"])
    incident.last_status_update_at = now
    status_update_schedule(incident=incident, settings=crisis_settings_get(), since=now)
    incident.save(
        update_fields=[
            "last_status_update_at",
            "status_update_due_at",
            "status_update_reminded_at",
            "updated_at",
        ]
    )
    body = status_update_body(update)
    timeline_record(
        incident=incident,
        actor=actor,
        kind=TimelineKind.STATUS_UPDATE,
        text=body,
        data={"status_update_id": str(update.pk), "event": "sent"},
        pinned=True,
    )
    if not incident.is_drill:
        notify(
            subject=f"Update on incident #{incident.number}: {incident.title}",
            body=body,
            link=f"/reports/incidents/{incident.pk}/",
            roles=[BrandGrant.Role.CLIENT_VIEWER, BrandGrant.Role.CLIENT_APPROVER],
        )
    return update


def status_update_reminders_send(*, now: datetime | None = None) -> int:
    """Remind the incident's crisis managers when a client update is due within the lead time,
    once per due time (claimed with a conditional UPDATE)."""
    now = now or timezone.now()
    lead = timedelta(minutes=crisis_settings_get().reminder_lead_minutes)
    due = Incident.objects.filter(
        status__in=Incident.OPEN_STATUSES, is_drill=False, status_update_due_at__lte=now + lead
    ).filter(
        Q(status_update_reminded_at__isnull=True)
        | Q(status_update_reminded_at__lt=F("status_update_due_at") - lead)
    )
    sent = 0
    for incident_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = (
                Incident.objects.filter(pk=incident_id, status_update_due_at__isnull=False)
                .filter(
                    Q(status_update_reminded_at__isnull=True)
                    | Q(status_update_reminded_at__lt=F("status_update_due_at") - lead)
                )
                .update(status_update_reminded_at=now)
            )
            if not claimed:
                continue
            incident = Incident.objects.get(pk=incident_id)
            managers = incident_crisis_managers(incident)
            users = [m.user for m in managers if m.user_id]
            # Stored texts: each manager reads them in their language and the brand's zone.
            subject = stored_text(
                _("Client update due %(at)s: incident #%(number)s"),
                at=incident.status_update_due_at,
                number=incident.number,
            )
            body = stored_text(
                _("The client expects a status update on “%(title)s”. Draft it in the war room."),
                title=incident.title,
            )
            link = f"/admin/incidents/incident/{incident.pk}/war-room/"
            if users:
                notify(subject=subject, body=body, link=link, users=users)
            else:
                notify(subject=subject, body=body, link=link, roles=[BrandGrant.Role.CRISIS_MANAGER])
            timeline_record(
                incident=incident,
                actor=None,
                kind=TimelineKind.STATUS_UPDATE_REMINDER,
                text=f"Reminder: client update due at {timezone.localtime(incident.status_update_due_at):%d %b %H:%M}",
                data={"due_at": incident.status_update_due_at.isoformat()},
            )
            sent += 1
    return sent
