"""Client status updates on a cadence set by severity: drafted in the war room (conditions,
actions, needs), approved by the crisis manager, emailed to the brand's client people, pinned on
the timeline; a reminder goes out when the next one is due."""

from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from incidents.models import Incident, StatusUpdate, TimelineKind
from incidents.permissions import require_incident_action
from incidents.services._common import crisis_settings_get, notify
from incidents.services.incidents import status_update_schedule
from incidents.services.timeline import timeline_record
from tenants.errors import DomainError
from tenants.models import BrandGrant, User


@transaction.atomic
def status_update_draft(
    *, incident_id: UUID, actor: User | None, conditions: str, actions: str, needs: str = ""
) -> StatusUpdate:
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    require_incident_action(actor, "draft_status_update", incident)
    errors = {}
    if not (conditions or "").strip():
        errors["conditions"] = ["Say where things stand."]
    if not (actions or "").strip():
        errors["actions"] = ["Say what the team is doing."]
    if errors:
        raise DomainError("A status update needs conditions and actions.", field_errors=errors)
    update = StatusUpdate.objects.create(
        incident=incident,
        conditions=conditions.strip(),
        actions=actions.strip(),
        needs=(needs or "").strip(),
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
        f"Incident #{incident.number}: {incident.title}",
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


@transaction.atomic
def status_update_approve(*, status_update_id: UUID, actor: User | None) -> StatusUpdate:
    """Approve and send a client status update: the client's people get it by email (after
    commit), it is pinned on the timeline, and the next one is scheduled. Approving twice is a
    no-op."""
    update = StatusUpdate.objects.select_for_update().select_related("incident").get(pk=status_update_id)
    incident = Incident.objects.select_for_update().get(pk=update.incident_id)
    update.incident = incident
    require_incident_action(actor, "approve_status_update", incident)
    if update.state != StatusUpdate.State.DRAFT:
        return update
    now = timezone.now()
    update.state = StatusUpdate.State.SENT
    update.approved_by = actor if getattr(actor, "pk", None) else None
    update.approved_at = update.sent_at = now
    update.save(update_fields=["state", "approved_by", "approved_at", "sent_at"])
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
    from incidents.services.team import incident_crisis_managers

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
            subject = f"Client update due {timezone.localtime(incident.status_update_due_at):%H:%M}: incident #{incident.number}"
            body = f"The client expects a status update on “{incident.title}”. Draft it in the war room."
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
