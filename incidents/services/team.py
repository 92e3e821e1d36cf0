"""The crisis team: the brand's roster, per-incident assignments (with history and the guardian
permissions that follow from them), tasks, and the reminders and escalations on those tasks."""

from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import (
    CrisisRole,
    Incident,
    IncidentAssignment,
    IncidentTask,
    RosterMember,
    Severity,
    TimelineKind,
)
from incidents.permissions import (
    brand_role,
    incident_permissions_sync,
    require_brand_action,
    require_incident_action,
)
from incidents.services.notifications import email_contacts, notify
from incidents.services.settings import crisis_settings_get
from incidents.services.timeline import timeline_record
from tenants.errors import DomainError, field_errors_raise, text_checked
from tenants.localization import stored_text
from tenants.models import BrandGrant, User


# --- Roster ---------------------------------------------------------------------------------
@transaction.atomic
def roster_member_add(
    *,
    actor: User | None,
    role: str,
    name: str = "",
    user: User | None = None,
    user_email: str = "",
    email: str = "",
    phone: str = "",
    organisation: str = "",
    backup_id: UUID | None = None,
    notes: str = "",
) -> RosterMember:
    """Put a person on the roster: a user (given, or found by `user_email`) with a grant on this
    brand, or an outside contact with at least a name and an email or phone. Adding the same user
    in the same role returns them."""
    require_brand_action(actor, "manage_team")
    if user is None and user_email:
        user = User.objects.filter(email__iexact=user_email.strip()).first()
        if user is None:
            raise DomainError("No user with this email.", field_errors={"user_email": ["No such user."]})
    if role not in CrisisRole.values:
        raise DomainError("Unknown crisis role.", field_errors={"role": ["Unknown role."]})
    if user is not None:
        grant_role = brand_role(user)
        if grant_role is None:
            raise DomainError(
                f"{user.email} has no access to this brand; grant it first or add them as an outside contact.",
                field_errors={"user": ["No grant on this brand."]},
            )
        client_role = grant_role in BrandGrant.CLIENT_ROLES
        if client_role != (role == CrisisRole.CLIENT_APPROVER):
            raise DomainError(
                "Client people hold the client-approver role; agency staff hold the other roles.",
                field_errors={"role": ["Does not match the person's access to the brand."]},
            )
        existing = RosterMember.objects.filter(user=user, role=role).first()
        if existing:
            return existing
        name = name or user.get_full_name()
    name = (name or "").strip()
    if not name:
        raise DomainError(
            "A roster member needs a name.", field_errors={"name": ["This field may not be blank."]}
        )
    if user is None and not (email or phone):
        raise DomainError(
            "An outside contact needs an email or a phone number.",
            field_errors={"email": ["Give an email or a phone number."]},
        )
    backup = RosterMember.objects.filter(pk=backup_id).first() if backup_id else None
    if backup_id and backup is None:
        raise DomainError("Unknown backup.", field_errors={"backup_id": ["Unknown roster member."]})
    return RosterMember.objects.create(
        user=user,
        name=name[:200],
        role=role,
        email=email,
        phone=phone,
        organisation=organisation,
        backup=backup,
        notes=notes,
    )


# --- Assignments ----------------------------------------------------------------------------
@transaction.atomic
def assignment_add(
    *, incident_id: UUID, actor: User | None, member_id: UUID, role: str | None = None
) -> IncidentAssignment:
    """Assign a roster member to a role on the incident and hand out that role's object
    permissions. Assigning the same person the same role again returns the active assignment."""
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    require_incident_action(actor, "manage_team", incident)
    member = RosterMember.objects.select_related("user").filter(pk=member_id, is_active=True).first()
    if member is None:
        raise DomainError(
            "Unknown or inactive roster member.", field_errors={"member_id": ["Unknown member."]}
        )
    role = role or member.role
    if role not in CrisisRole.values:
        raise DomainError("Unknown crisis role.", field_errors={"role": ["Unknown role."]})
    if role != member.role:
        raise DomainError(
            f"{member.name} is on the roster as {member.get_role_display()}; add them to the roster in this role first.",
            field_errors={"role": ["Not this member's roster role."]},
        )
    active = IncidentAssignment.objects.filter(
        incident=incident, member=member, role=role, ended_at__isnull=True
    ).first()
    if active:
        return active
    assignment = IncidentAssignment.objects.create(
        incident=incident, member=member, role=role, assigned_by=actor if getattr(actor, "pk", None) else None
    )
    if member.user_id:
        incident_permissions_sync(incident=incident, user=member.user)
    timeline_record(
        incident=incident,
        actor=actor,
        kind=TimelineKind.ROLE_ASSIGNED,
        text=f"{member.name} assigned as {assignment.get_role_display()}",
        data={"assignment_id": str(assignment.pk), "member_id": str(member.pk), "role": role},
        pinned=role == CrisisRole.CRISIS_MANAGER,  # the client wants to know who leads
    )
    if member.user_id:
        notify(
            subject=stored_text(
                _("You are %(role)s on drill %(number)s")
                if incident.is_drill
                else _("You are %(role)s on incident #%(number)s"),
                role=CrisisRole(role).label,
                number=incident.display_number.lstrip("#"),
            ),
            body=stored_text(
                _("%(title)s\nSeverity: %(severity)s"),
                title=incident.title,
                severity=Severity(incident.severity).label,
            ),
            link=f"/admin/incidents/incident/{incident.pk}/war-room/",
            users=[member.user],
        )
    return assignment


@transaction.atomic
def assignment_end(*, assignment_id: UUID, actor: User | None) -> IncidentAssignment:
    """End an assignment (kept as history) and take back the permissions it gave. Safe to repeat."""
    assignment = (
        IncidentAssignment.objects.select_for_update(of=("self",))
        .select_related("member__user", "incident")
        .get(pk=assignment_id)
    )
    incident = assignment.incident
    require_incident_action(actor, "manage_team", incident)
    if assignment.ended_at is not None:
        return assignment
    if (
        assignment.role == CrisisRole.CRISIS_MANAGER
        and incident.status == Incident.Status.RESPONDING
        and not IncidentAssignment.objects.filter(
            incident=incident, role=CrisisRole.CRISIS_MANAGER, ended_at__isnull=True
        )
        .exclude(pk=assignment.pk)
        .exists()
    ):
        raise DomainError(
            "A responding incident needs a crisis manager; assign the new one before ending this assignment."
        )
    assignment.ended_at = timezone.now()
    assignment.ended_by = actor if getattr(actor, "pk", None) else None
    assignment.save(update_fields=["ended_at", "ended_by"])
    if assignment.member.user_id:
        incident_permissions_sync(incident=incident, user=assignment.member.user)
    timeline_record(
        incident=incident,
        actor=actor,
        kind=TimelineKind.ROLE_ENDED,
        text=f"{assignment.member.name} no longer {assignment.get_role_display()}",
        data={
            "assignment_id": str(assignment.pk),
            "member_id": str(assignment.member_id),
            "role": assignment.role,
        },
    )
    return assignment


def incident_crisis_managers(incident: Incident) -> list[RosterMember]:
    return [
        a.member
        for a in IncidentAssignment.objects.select_related("member__user").filter(
            incident=incident, role=CrisisRole.CRISIS_MANAGER, ended_at__isnull=True
        )
    ]


# --- Tasks ----------------------------------------------------------------------------------
def _check_due(due_at) -> None:
    if not isinstance(due_at, datetime) or timezone.is_naive(due_at):
        raise DomainError("Give the due time with a time zone.", field_errors={"due_at": ["Invalid time."]})


# The one limit on a task's texts (the title's is its column's): the API and the war room obey it.
TASK_TITLE_MAX = 200
TASK_DESCRIPTION_MAX = 8000


@transaction.atomic
def task_create(
    *,
    incident_id: UUID,
    actor: User | None,
    title: str,
    owner_id: UUID,
    due_at: datetime,
    description: str = "",
) -> IncidentTask:
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    require_incident_action(actor, "manage_tasks", incident)
    errors = {}
    title = text_checked(title, field="title", max_length=TASK_TITLE_MAX, errors=errors)
    description = text_checked(
        description, field="description", max_length=TASK_DESCRIPTION_MAX, errors=errors
    )
    if not title and "title" not in errors:
        raise DomainError("A task needs a title.", field_errors={"title": ["This field may not be blank."]})
    field_errors_raise(errors)
    _check_due(due_at)
    owner = RosterMember.objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise DomainError("Unknown or inactive owner.", field_errors={"owner_id": ["Unknown roster member."]})
    task = IncidentTask.objects.create(
        incident=incident,
        title=title,
        description=description,
        owner=owner,
        due_at=due_at,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    timeline_record(
        incident=incident,
        actor=actor,
        kind=TimelineKind.TASK,
        text=f"Task for {owner.name}, due {timezone.localtime(due_at):%d %b %H:%M}: {task.title}",
        data={"task_id": str(task.pk), "event": "created"},
    )
    return task


@transaction.atomic
def task_update(
    *,
    task_id: UUID,
    actor: User | None,
    status: str | None = None,
    due_at: datetime | None = None,
    owner_id: UUID | None = None,
) -> IncidentTask:
    """Change a task's status, due time or owner. A new due time re-arms its reminder and
    escalation. Changing nothing records nothing."""
    task = IncidentTask.objects.select_for_update().select_related("incident", "owner").get(pk=task_id)
    incident = task.incident
    is_owner = (
        actor is not None
        and task.owner.user_id is not None
        and task.owner.user_id == getattr(actor, "pk", None)
    )
    # The owner may move their own task along; everything else needs the manage-tasks action.
    if not (is_owner and due_at is None and owner_id is None):
        require_incident_action(actor, "manage_tasks", incident)
    changes = []
    fields = []
    if status is not None and status != task.status:
        if status not in IncidentTask.Status.values:
            raise DomainError("Unknown task status.", field_errors={"status": ["Unknown status."]})
        task.status = status
        task.completed_at = timezone.now() if status in IncidentTask.CLOSED_STATUSES else None
        fields += ["status", "completed_at"]
        changes.append(f"status → {task.get_status_display()}")
    if due_at is not None and due_at != task.due_at:
        _check_due(due_at)
        task.due_at, task.reminded_at, task.escalated_at = due_at, None, None
        fields += ["due_at", "reminded_at", "escalated_at"]
        changes.append(f"due → {timezone.localtime(due_at):%d %b %H:%M}")
    if owner_id is not None and owner_id != task.owner_id:
        owner = RosterMember.objects.filter(pk=owner_id, is_active=True).first()
        if owner is None:
            raise DomainError(
                "Unknown or inactive owner.", field_errors={"owner_id": ["Unknown roster member."]}
            )
        task.owner, task.reminded_at = owner, None
        fields += ["owner", "reminded_at"]
        changes.append(f"owner → {owner.name}")
    if not fields:
        return task
    task.save(update_fields=sorted(set(fields)))
    timeline_record(
        incident=incident,
        actor=actor,
        kind=TimelineKind.TASK,
        text=f"Task “{task.title}”: " + ", ".join(changes),
        data={"task_id": str(task.pk), "event": "updated"},
    )
    return task


def _tell_member(member: RosterMember, *, subject: str | dict, body: str | dict, link: str) -> None:
    if member.user_id:
        notify(subject=subject, body=body, link=link, users=[member.user])
    else:
        email_contacts(subject=subject, body=body, emails=[member.email])


def task_reminders_send(*, now: datetime | None = None) -> int:
    """Remind owners of open tasks coming due within the brand's lead time. Each task is claimed
    with a conditional UPDATE, so two sweeps at once remind once."""
    now = now or timezone.now()
    lead = timedelta(minutes=crisis_settings_get().reminder_lead_minutes)
    candidates = IncidentTask.objects.filter(
        reminded_at__isnull=True, due_at__lte=now + lead, due_at__gt=now
    ).exclude(status__in=IncidentTask.CLOSED_STATUSES)
    sent = 0
    for task_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = IncidentTask.objects.filter(pk=task_id, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            task = IncidentTask.objects.select_related("incident", "owner__user").get(pk=task_id)
            link = f"/admin/incidents/incident/{task.incident_id}/war-room/"
            _tell_member(
                task.owner,
                subject=stored_text(
                    _("Due %(at)s: %(task)s (drill %(number)s)")
                    if task.incident.is_drill
                    else _("Due %(at)s: %(task)s (incident #%(number)s)"),
                    at=task.due_at,
                    task=task.title,
                    number=task.incident.display_number.lstrip("#"),
                ),
                body=stored_text(
                    _("Your task on “%(incident)s” is due at %(at)s."),
                    incident=task.incident.title,
                    at=task.due_at,
                ),
                link=link,
            )
            timeline_record(
                incident=task.incident,
                actor=None,
                kind=TimelineKind.TASK_REMINDER,
                text=f"Reminded {task.owner.name}: “{task.title}” is due soon",
                data={"task_id": str(task.pk)},
            )
            sent += 1
    return sent


def task_escalations_send(*, now: datetime | None = None) -> int:
    """Escalate overdue open tasks to the incident's crisis manager(s), once per due time."""
    now = now or timezone.now()
    candidates = IncidentTask.objects.filter(escalated_at__isnull=True, due_at__lte=now).exclude(
        status__in=IncidentTask.CLOSED_STATUSES
    )
    sent = 0
    for task_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = IncidentTask.objects.filter(pk=task_id, escalated_at__isnull=True).update(
                escalated_at=now
            )
            if not claimed:
                continue
            task = IncidentTask.objects.select_related("incident", "owner").get(pk=task_id)
            managers = incident_crisis_managers(task.incident)
            subject = stored_text(
                _("Overdue: %(task)s (drill %(number)s, owner %(owner)s)")
                if task.incident.is_drill
                else _("Overdue: %(task)s (incident #%(number)s, owner %(owner)s)"),
                task=task.title,
                number=task.incident.display_number.lstrip("#"),
                owner=task.owner.name,
            )
            body = stored_text(
                _("The task “%(task)s” on “%(incident)s” was due at %(at)s and is not done."),
                task=task.title,
                incident=task.incident.title,
                at=task.due_at,
            )
            link = f"/admin/incidents/incident/{task.incident_id}/war-room/"
            if managers:
                for manager in managers:
                    _tell_member(manager, subject=subject, body=body, link=link)
            else:
                # No one leads the incident yet: every crisis manager of the brand hears of it.
                notify(subject=subject, body=body, link=link, roles=[BrandGrant.Role.CRISIS_MANAGER])
            timeline_record(
                incident=task.incident,
                actor=None,
                kind=TimelineKind.TASK_ESCALATED,
                text=f"Escalated to {', '.join(m.name for m in managers) or 'the crisis managers'}: “{task.title}” is overdue",
                data={"task_id": str(task.pk), "to": [str(m.pk) for m in managers]},
            )
            sent += 1
    return sent


_ROSTER_EDITABLE = ("name", "email", "phone", "organisation", "backup_id", "is_active", "notes")


@transaction.atomic
def roster_member_update(*, member_id: UUID, actor: User | None, **changes) -> RosterMember:
    """Change a roster member's contact details, backup or active flag (their role is fixed:
    a new role is a new roster entry, so assignment history keeps its meaning)."""
    require_brand_action(actor, "manage_team")
    unknown = set(changes) - set(_ROSTER_EDITABLE)
    if unknown:
        raise DomainError(f"Cannot change: {', '.join(sorted(unknown))}.")
    member = RosterMember.objects.select_for_update().get(pk=member_id)
    if "name" in changes and not (changes["name"] or "").strip():
        raise DomainError(
            "A roster member needs a name.", field_errors={"name": ["This field may not be blank."]}
        )
    if changes.get("backup_id") == member.pk:
        raise DomainError("Nobody is their own backup.", field_errors={"backup_id": ["Choose someone else."]})
    for field, value in changes.items():
        setattr(member, field, value)
    member.save()
    return member
