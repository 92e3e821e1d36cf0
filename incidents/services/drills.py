"""Drills: a simulated incident from a scenario, answered with the same tools, measured, and
kept out of client figures (the incident carries `is_drill`, which client selectors exclude)."""

from datetime import datetime
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from incidents.models import Drill, DrillScenario, Incident, Response, TimelineKind
from incidents.permissions import require_brand_action
from incidents.services.incidents import incident_open
from incidents.services.timeline import timeline_record
from tenants.errors import DomainError
from tenants.models import User


@transaction.atomic
def drill_scenario_create(
    *,
    actor: User | None,
    title: str,
    description: str,
    severity: int = 2,
    source_category: str = "",
    injects: list | None = None,
) -> DrillScenario:
    require_brand_action(actor, "manage_team")
    if not (title or "").strip() or not (description or "").strip():
        raise DomainError(
            "A scenario needs a title and a description.", field_errors={"title": ["Required."]}
        )
    for inject in injects or []:
        if not isinstance(inject, dict) or not str(inject.get("text", "")).strip():
            raise DomainError(
                "Each inject needs a text.", field_errors={"injects": ["Each inject needs a text."]}
            )
    return DrillScenario.objects.create(
        title=title.strip()[:200],
        description=description.strip(),
        severity=severity,
        source_category=source_category,
        injects=injects or [],
    )


@transaction.atomic
def drill_schedule(*, actor: User | None, scenario_id: UUID, scheduled_for: datetime) -> Drill:
    require_brand_action(actor, "manage_team")
    scenario = DrillScenario.objects.filter(pk=scenario_id).first()
    if scenario is None:
        raise DomainError("Unknown scenario.", field_errors={"scenario_id": ["Unknown scenario."]})
    return Drill.objects.create(
        scenario=scenario,
        scheduled_for=scheduled_for,
        created_by=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def drill_start(*, drill_id: UUID, actor: User | None = None) -> Drill:
    """Start a drill: open its simulated incident. Starting twice returns the running drill."""
    drill = Drill.objects.select_for_update().select_related("scenario").get(pk=drill_id)
    if drill.state != Drill.State.SCHEDULED:
        return drill
    require_brand_action(actor, "manage_team")
    scenario = drill.scenario
    incident = incident_open(
        actor=actor,
        title=f"[DRILL] {scenario.title}",
        severity=scenario.severity,
        summary=scenario.description,
        source_category=scenario.source_category,
        is_drill=True,
        label="" if actor else "drill schedule",
    )
    drill.state, drill.started_at, drill.incident = Drill.State.RUNNING, timezone.now(), incident
    drill.save(update_fields=["state", "started_at", "incident"])
    injects = "\n".join(
        f"+{i.get('after_minutes', 0)} min {i.get('platform', '')}: {i.get('text', '')}"
        for i in scenario.injects
    )
    timeline_record(
        incident=incident,
        actor=actor,
        kind=TimelineKind.DRILL,
        text=f"Drill started. Scenario: {scenario.description}"
        + (f"\nInjects:\n{injects}" if injects else ""),
        data={"drill_id": str(drill.pk)},
    )
    return drill


def drill_figures(incident: Incident, started_at: datetime) -> dict:
    def since(value):
        return int((value - started_at).total_seconds()) if value else None

    first_approved = (
        Response.objects.filter(incident=incident, approved_at__isnull=False).order_by("approved_at").first()
    )
    return {
        "seconds_to_triage": since(incident.triaged_at),
        "seconds_to_respond": since(incident.responding_at),
        "seconds_to_first_response": since(first_approved.approved_at if first_approved else None),
        "seconds_to_resolve": since(incident.resolved_at),
    }


@transaction.atomic
def drill_finish(*, drill_id: UUID, actor: User | None, debrief: str) -> Drill:
    """Finish a drill with its debrief; its response times are recorded. Finishing twice is a no-op."""
    drill = Drill.objects.select_for_update(of=("self",)).select_related("incident").get(pk=drill_id)
    if drill.state == Drill.State.FINISHED:
        return drill
    require_brand_action(actor, "manage_team")
    if drill.state != Drill.State.RUNNING:
        raise DomainError("The drill has not started.")
    if not (debrief or "").strip():
        raise DomainError(
            "Write the debrief: what went well, what to improve.", field_errors={"debrief": ["Required."]}
        )
    incident = Incident.objects.get(pk=drill.incident_id)
    drill.state, drill.finished_at, drill.debrief = Drill.State.FINISHED, timezone.now(), debrief.strip()
    drill.figures = drill_figures(incident, drill.started_at)
    drill.save(update_fields=["state", "finished_at", "debrief", "figures"])
    timeline_record(
        incident=incident,
        actor=actor,
        kind=TimelineKind.DRILL,
        text=f"Drill finished. Debrief: {drill.debrief}",
        data={"drill_id": str(drill.pk), "figures": drill.figures},
    )
    return drill


def drills_start_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    started = 0
    for drill_id in Drill.objects.filter(state=Drill.State.SCHEDULED, scheduled_for__lte=now).values_list(
        "pk", flat=True
    ):
        drill_start(drill_id=drill_id, actor=None)
        started += 1
    return started
