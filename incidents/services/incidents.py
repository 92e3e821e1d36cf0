"""Incident lifecycle: open (by hand, from an alert, or automatically above the brand's
threshold), edit, link mentions, and move through the status machine. The machine is one table of
allowed transitions with what each needs filled in and which action (hence role) it takes."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from incidents.models import (
    CrisisSettings,
    Incident,
    IncidentAssignment,
    IncidentMention,
    Severity,
    SourceCategory,
    TimelineKind,
)
from incidents.permissions import require_brand_action, require_incident_action
from incidents.services.reviews import review_open
from incidents.services.settings import crisis_settings_get
from incidents.services.timeline import timeline_record
from incidents.services.webhooks import webhook_emit
from tenants.audit import Action, audit_record, diff, snapshot
from tenants.errors import DomainError, field_errors_raise, text_checked
from tenants.models import User

Status = Incident.Status


@dataclass(frozen=True)
class Transition:
    action: str  # the permission action (incidents/permissions.py) the actor needs
    requires: tuple[str, ...] = ()  # what must be in place first
    reopen: bool = False


# The status machine. Anything not listed is refused with a 400 and nothing written.
TRANSITIONS: dict[tuple[str, str], Transition] = {
    (Status.DETECTED, Status.TRIAGED): Transition("triage", ("source_category",)),
    (Status.DETECTED, Status.RESOLVED): Transition("resolve", ("summary",)),  # a false alarm
    (Status.TRIAGED, Status.RESPONDING): Transition("triage", ("crisis_manager",)),
    (Status.TRIAGED, Status.RESOLVED): Transition("resolve", ("summary",)),
    (Status.RESPONDING, Status.MONITORING): Transition("triage"),
    (Status.RESPONDING, Status.RESOLVED): Transition("resolve", ("summary",)),
    (Status.MONITORING, Status.RESPONDING): Transition("triage", ("reason",)),  # it flared up again
    (Status.MONITORING, Status.RESOLVED): Transition("resolve", ("summary",)),
    (Status.RESOLVED, Status.REVIEWED): Transition("resolve", ("summary", "root_cause_notes")),
    (Status.RESOLVED, Status.RESPONDING): Transition("resolve", ("reason", "crisis_manager"), reopen=True),
    (Status.REVIEWED, Status.RESPONDING): Transition("resolve", ("reason", "crisis_manager"), reopen=True),
}

_REQUIREMENT_MESSAGES = {
    "source_category": ("source_category", "Set the source of the crisis before triage is complete."),
    "crisis_manager": ("assignments", "Assign a crisis manager before the team starts responding."),
    "summary": ("summary", "Write a summary first."),
    "reason": ("reason", "Give a reason."),
    "root_cause_notes": ("root_cause_notes", "Write the root-cause notes before the review is closed."),
}


def allowed_next_statuses(status: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == status]


def _missing_requirements(incident: Incident, rule: Transition, *, reason: str, summary: str) -> dict:
    missing: dict[str, list[str]] = {}
    for need in rule.requires:
        ok = {
            "source_category": lambda: bool(incident.source_category),
            "crisis_manager": lambda: IncidentAssignment.objects.filter(
                incident=incident, role="crisis_manager", ended_at__isnull=True
            ).exists(),
            "summary": lambda: bool(summary.strip()),
            "reason": lambda: bool(reason.strip()),
            "root_cause_notes": lambda: bool(incident.root_cause_notes.strip()),
        }[need]()
        if not ok:
            field, message = _REQUIREMENT_MESSAGES[need]
            missing.setdefault(field, []).append(message)
    return missing


def incident_transition_check(*, incident: Incident, to_status: str, summary: str = "") -> None:
    """Raise the DomainError incident_transition would raise for a missing requirement, without
    moving anything (a review waiting for the client's sign-off is checked when the team completes it)."""
    rule = TRANSITIONS.get((incident.status, to_status))
    if rule is None:
        return  # incident_transition names the allowed moves when it is asked
    missing = _missing_requirements(incident, rule, reason="", summary=summary)
    if missing:
        message = " ".join(m for messages in missing.values() for m in messages)
        raise DomainError(f"Cannot move to {to_status}: {message}", field_errors=missing)


def status_update_schedule(*, incident: Incident, settings: CrisisSettings, since: datetime) -> None:
    """Set when the next client update is due, from the severity's cadence (none for drills,
    closed incidents, or a cadence of 0). The caller saves the incident."""
    hours = settings.update_cadence_hours(incident.severity)
    if incident.is_drill or not incident.is_open or hours <= 0:
        incident.status_update_due_at = None
    else:
        incident.status_update_due_at = since + timedelta(hours=hours)
    incident.status_update_reminded_at = None


# The one limit on each of an incident's texts (the title's is its column's): the API, the admin and
# the war room describe and obey these.
TITLE_MAX = 200
DETAILS_MAX = 8000  # summary, root-cause notes
TRANSITION_TEXT_MAX = 4000  # a transition's reason and summary


def _check_choices(*, severity=None, source_category=None) -> None:
    if severity is not None and severity not in Severity.values:
        raise DomainError("Unknown severity.", field_errors={"severity": ["Use 1 (critical) to 4 (low)."]})
    if source_category not in (None, "") and source_category not in SourceCategory.values:
        raise DomainError("Unknown source.", field_errors={"source_category": ["Unknown source category."]})


@transaction.atomic
def incident_open(
    *,
    actor: User | None,
    title: str,
    severity: int = Severity.MEDIUM,
    summary: str = "",
    source_category: str = "",
    affected_platforms: Iterable[str] = (),
    mention_ids: Iterable[UUID] = (),
    is_drill: bool = False,
    label: str = "",
    timeline_data: dict | None = None,
) -> Incident:
    """Open an incident with the brand's next number (allocated under a row lock, so two at once
    never share one) and its first timeline entry. A drill takes the next drill number (D-1, D-2,
    …), a sequence apart, so the client's incident numbers have no gaps."""
    require_brand_action(actor, "note")  # any staff role on the brand may open an incident
    title = text_checked(title, field="title", max_length=TITLE_MAX)
    summary = text_checked(summary, field="summary", max_length=DETAILS_MAX)
    if not title:
        raise DomainError(
            "An incident needs a title.", field_errors={"title": ["This field may not be blank."]}
        )
    _check_choices(severity=severity, source_category=source_category)
    settings = crisis_settings_get(for_update=True)
    counter = "last_drill_number" if is_drill else "last_incident_number"
    setattr(settings, counter, getattr(settings, counter) + 1)
    settings.save(update_fields=[counter])
    now = timezone.now()
    incident = Incident(
        number=getattr(settings, counter),
        title=title,
        summary=summary,
        severity=severity,
        source_category=source_category or "",
        affected_platforms=sorted({p for p in affected_platforms if p}),
        is_drill=is_drill,
        opened_by=actor if getattr(actor, "pk", None) else None,
    )
    status_update_schedule(incident=incident, settings=settings, since=now)
    incident.save()
    timeline_record(
        incident=incident,
        actor=actor,
        kind=TimelineKind.OPENED,
        text=f"Opened {incident.display_number} as {incident.get_severity_display()}: {incident.title}",
        data={"severity": incident.severity, **(timeline_data or {})},
        label=label,
        pinned=True,  # the client's view starts with the incident being opened
    )
    mention_ids = list(mention_ids)
    if mention_ids:
        _link_mentions(incident=incident, actor=actor, mention_ids=mention_ids)
    if not is_drill:
        webhook_emit(event="incident.opened", payload=incident_payload(incident))
    return incident


def incident_payload(incident: Incident) -> dict:
    return {
        "id": str(incident.pk),
        "number": incident.number,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status,
        "source_category": incident.source_category,
    }


_EDITABLE = ("title", "summary", "severity", "source_category", "root_cause_notes", "affected_platforms")


@transaction.atomic
def incident_update(*, incident_id: UUID, actor: User | None, **changes) -> Incident:
    """Change an incident's details; each changed field is named on the timeline."""
    unknown = set(changes) - set(_EDITABLE)
    if unknown:
        raise DomainError(f"Cannot change: {', '.join(sorted(unknown))}.")
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    require_incident_action(actor, "triage", incident)
    _check_choices(severity=changes.get("severity"), source_category=changes.get("source_category"))
    for field, limit in (("title", TITLE_MAX), ("summary", DETAILS_MAX), ("root_cause_notes", DETAILS_MAX)):
        if field in changes:
            changes[field] = text_checked(changes[field], field=field, max_length=limit)
    if "title" in changes and not changes["title"]:
        raise DomainError(
            "An incident needs a title.", field_errors={"title": ["This field may not be blank."]}
        )
    if "affected_platforms" in changes:
        changes["affected_platforms"] = sorted({p for p in changes["affected_platforms"] if p})
    changed = {k: v for k, v in changes.items() if getattr(incident, k) != v}
    if not changed:
        return incident
    before = {k: getattr(incident, k) for k in changed}
    for field, value in changed.items():
        setattr(incident, field, value)
    if "severity" in changed:
        status_update_schedule(
            incident=incident,
            settings=crisis_settings_get(),
            since=incident.last_status_update_at or incident.opened_at,
        )
    incident.save(update_fields=[*changed, "status_update_due_at", "status_update_reminded_at", "updated_at"])
    parts = []
    for field in changed:
        if field == "severity":
            parts.append(f"severity {Severity(before[field]).label} → {incident.get_severity_display()}")
        elif field == "source_category":
            parts.append(f"source → {incident.get_source_category_display()}")
        else:
            parts.append(field.replace("_", " "))
    timeline_record(
        incident=incident,
        actor=actor,
        kind=TimelineKind.UPDATED,
        text="Changed " + ", ".join(parts),
        data={"fields": sorted(changed), "severity_before": before.get("severity")},
    )
    return incident


@transaction.atomic
def incident_transition(
    *, incident_id: UUID, actor: User | None, to_status: str, reason: str = "", summary: str = ""
) -> Incident:
    """Move an incident along the status machine. A transition not in TRANSITIONS, a missing
    requirement or a missing role refuses the whole request and writes nothing. Moving to the
    status it already has is a no-op."""
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    if to_status not in Status.values:
        raise DomainError(f"Unknown status {to_status!r}.", field_errors={"to_status": ["Unknown status."]})
    if incident.status == to_status:
        return incident  # a repeated request records nothing twice
    rule = TRANSITIONS.get((incident.status, to_status))
    if rule is None:
        allowed = ", ".join(allowed_next_statuses(incident.status)) or "none"
        raise DomainError(
            f"An incident cannot go from {incident.status} to {to_status}; allowed next: {allowed}.",
            field_errors={"to_status": [f"Not allowed from {incident.status}."]},
        )
    require_incident_action(actor, rule.action, incident)
    errors = {}
    reason = text_checked(reason, field="reason", max_length=TRANSITION_TEXT_MAX, errors=errors)
    summary = text_checked(summary, field="summary", max_length=TRANSITION_TEXT_MAX, errors=errors)
    field_errors_raise(errors)
    missing = _missing_requirements(incident, rule, reason=reason, summary=summary)
    if missing:
        message = " ".join(m for messages in missing.values() for m in messages)
        raise DomainError(f"Cannot move to {to_status}: {message}", field_errors=missing)

    now = timezone.now()
    previous = incident.status
    incident.status = to_status
    fields = ["status", "updated_at"]
    if to_status == Status.TRIAGED and incident.triaged_at is None:
        incident.triaged_at = now
        fields.append("triaged_at")
    if to_status == Status.RESPONDING and incident.responding_at is None:
        incident.responding_at = now
        fields.append("responding_at")
    if to_status == Status.RESOLVED:
        incident.resolved_at, incident.resolution_summary = now, summary
        fields += ["resolved_at", "resolution_summary"]
    if to_status == Status.REVIEWED:
        incident.reviewed_at, incident.review_summary = now, summary
        fields += ["reviewed_at", "review_summary"]
    if rule.reopen:
        incident.reopen_count += 1
        incident.resolved_at = None
        fields += ["reopen_count", "resolved_at"]
    settings = crisis_settings_get()
    if incident.is_open and (incident.status_update_due_at is None or rule.reopen):
        status_update_schedule(incident=incident, settings=settings, since=now)
    elif not incident.is_open:
        incident.status_update_due_at = None
    fields += ["status_update_due_at", "status_update_reminded_at"]
    incident.save(update_fields=fields)

    label = Status(to_status).label
    text = f"Reopened ({label}): {reason}" if rule.reopen else f"{Status(previous).label} → {label}"
    if summary and not rule.reopen:
        text += f": {summary}"
    elif reason and not rule.reopen:
        text += f" ({reason})"
    timeline_record(
        incident=incident,
        actor=actor,
        kind=TimelineKind.REOPENED if rule.reopen else TimelineKind.STATUS,
        text=text,
        data={"from": previous, "to": to_status, "reason": reason, "summary": summary},
        # Resolution and reopening are what the client most needs to see.
        pinned=to_status in (Status.RESOLVED,) or rule.reopen,
    )
    if to_status == Status.RESOLVED:
        # In this transaction: the review row is the record of the work its task will do.
        review_open(incident=incident, now=now)
    if not incident.is_drill:
        webhook_emit(
            event="incident.status_changed",
            payload={**incident_payload(incident), "from": previous, "reason": reason},
        )
    return incident


def _link_mentions(*, incident: Incident, actor: User | None, mention_ids: list) -> int:
    from incidents.models import Mention

    mentions = list(Mention.objects.filter(pk__in=mention_ids))
    if len(mentions) != len(set(map(str, mention_ids))):
        raise DomainError("Some mentions do not exist.", field_errors={"mention_ids": ["Unknown mention."]})
    already = set(
        IncidentMention.objects.filter(incident=incident, mention__in=mentions).values_list(
            "mention_id", flat=True
        )
    )
    new = [m for m in mentions if m.pk not in already]
    IncidentMention.objects.bulk_create(
        [
            IncidentMention(
                incident=incident, mention=m, linked_by=actor if getattr(actor, "pk", None) else None
            )
            for m in new
        ],
        ignore_conflicts=True,
    )
    platforms = sorted(set(incident.affected_platforms) | {m.platform for m in new if m.platform})
    if platforms != incident.affected_platforms:
        incident.affected_platforms = platforms
        incident.save(update_fields=["affected_platforms", "updated_at"])
    if new:
        timeline_record(
            incident=incident,
            actor=actor,
            kind=TimelineKind.MENTION_LINKED,
            text=f"Linked {len(new)} mention(s)",
            data={"mention_ids": [str(m.pk) for m in new]},
        )
    return len(new)


@transaction.atomic
def incident_mentions_link(*, incident_id: UUID, actor: User | None, mention_ids: Iterable[UUID]) -> int:
    """Link mentions to an incident; already-linked ones are skipped. Returns how many were new."""
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    require_incident_action(actor, "note", incident)
    return _link_mentions(incident=incident, actor=actor, mention_ids=list(mention_ids))


# --- From alerts ------------------------------------------------------------------------------
def _evidence_mention_ids(evidence) -> list[str]:
    if not isinstance(evidence, dict):
        return []
    raw = evidence.get("mention_ids") or evidence.get("example_mention_ids") or []
    ids = []
    for item in raw if isinstance(raw, list) else []:
        value = item.get("id") if isinstance(item, dict) else item
        try:
            ids.append(str(UUID(str(value))))
        except (TypeError, ValueError):
            continue
    return ids


@transaction.atomic
def incident_open_from_alert(*, alert_id: UUID, actor: User | None = None) -> Incident:
    """Open an incident from an alert, linking it and the mentions in its evidence. Safe to
    repeat: an alert that already has an incident returns that incident. `actor=None` is the
    system (automatic opening)."""
    from incidents.models import Alert, Mention

    alert = Alert.objects.select_for_update().get(pk=alert_id)
    if alert.incident_id:
        return alert.incident
    detector = alert.get_detector_display()
    evidence = alert.evidence if isinstance(alert.evidence, dict) else {"evidence": alert.evidence}
    existing_ids = [
        str(pk)
        for pk in Mention.objects.filter(pk__in=_evidence_mention_ids(evidence)).values_list("pk", flat=True)
    ]
    incident = incident_open(
        actor=actor,
        title=alert.title or f"{detector} alert",
        severity=alert.severity,  # alerts and incidents share one scale
        summary=f"Opened from the {detector.lower()} alert raised {timezone.localtime(alert.raised_at):%d %b %H:%M}.",
        mention_ids=existing_ids,
        label="" if actor else "automatic (alert above the brand's threshold)",
        timeline_data={"alert_id": str(alert.pk)},
    )
    alert.incident, alert.state = incident, Alert.State.INCIDENT_OPENED
    alert.save(update_fields=["incident", "state", "updated_at"])
    timeline_record(
        incident=incident,
        actor=actor,
        kind=TimelineKind.ALERT_LINKED,
        text=f"Alert linked: {alert.title} ({alert.get_severity_display()})",
        data={"alert_id": str(alert.pk), "detector": str(alert.detector), "evidence": evidence},
    )
    return incident


# A brand's post-crisis survey goes out at most this long after resolution (30 days).
REVIEW_SURVEY_DELAY_MAX_HOURS = 720

_SETTINGS_FIELDS = (
    "auto_open_max_severity",
    "statement_empathy_gate",
    "reply_approval_max_severity",
    "update_cadence_critical_hours",
    "update_cadence_high_hours",
    "update_cadence_medium_hours",
    "update_cadence_low_hours",
    "reminder_lead_minutes",
    "incident_join_window_minutes",
    *(f"first_response_target_{s}_minutes" for s in ("critical", "high", "medium", "low")),
    *(f"resolve_target_{s}_hours" for s in ("critical", "high", "medium", "low")),
    "reviews_need_client_sign_off",
    "review_survey_delay_hours",
)


@transaction.atomic
def crisis_settings_update(*, actor: User | None, **changes) -> CrisisSettings:
    """Change the brand's crisis settings (thresholds, the empathy gate, update cadences)."""
    require_brand_action(actor, "manage_team")
    unknown = set(changes) - set(_SETTINGS_FIELDS)
    if unknown:
        raise DomainError(f"Cannot change: {', '.join(sorted(unknown))}.")
    for field in ("auto_open_max_severity", "reply_approval_max_severity"):
        if changes.get(field) is not None and changes[field] not in Severity.values:
            raise DomainError(
                "Unknown severity.", field_errors={field: ["Use 1 (critical) to 4 (low), or empty."]}
            )
    delay = changes.get("review_survey_delay_hours")
    if delay is not None and not (isinstance(delay, int) and 0 <= delay <= REVIEW_SURVEY_DELAY_MAX_HOURS):
        raise DomainError(
            "The survey delay is out of range.",
            field_errors={
                "review_survey_delay_hours": [f"Use 0 to {REVIEW_SURVEY_DELAY_MAX_HOURS} hours, or empty."]
            },
        )
    settings = crisis_settings_get(for_update=True)
    before = snapshot(settings, list(changes))
    for field, value in changes.items():
        setattr(settings, field, value)
    settings.save(update_fields=list(changes) or None)
    changed = diff(before, snapshot(settings, list(changes)))
    if changed:
        audit_record(
            action=Action.CRISIS_SETTINGS_CHANGED,
            actor=actor,
            target=settings,
            in_current_brand=True,
            changes=changed,
        )
    return settings
