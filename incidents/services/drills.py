"""Drills: a simulated incident from a scenario, answered with the same tools, measured, and
kept out of client figures (the incident carries `is_drill`, which client selectors exclude). Its
injects are posted, when due, as drill mentions (`Mention.is_drill`) linked to the drill's incident,
which no figure, detector or report counts; a scenario may recur on an iCalendar rule, numbered
D-1, D-2, … apart from real incidents."""

from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, rrulestr
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import Drill, DrillScenario, Incident, IncidentMention, Mention, Response, TimelineKind
from incidents.permissions import require_brand_action
from incidents.services.incidents import incident_open
from incidents.services.sweeps import mentions_scoring_request
from incidents.services.timeline import timeline_record
from tenants.errors import DomainError
from tenants.models import User
from tenants.platforms import PLATFORMS

INJECT_MAX_MINUTES = 7 * 24 * 60  # a drill is practice for one crisis, not a week-long campaign
INJECT_TEXT_MAX = 4000
INJECTS_MAX = 50
RECURRENCE_MAX = 500


def _injects_clean(injects) -> list[dict]:
    """The scenario's injects as stored: a list of {after_minutes, platform, text}, in time order."""
    if injects in (None, ""):
        return []
    error = None
    cleaned = []
    if not isinstance(injects, list) or len(injects) > INJECTS_MAX:
        error = _("A list of at most %(count)d injects.") % {"count": INJECTS_MAX}
    else:
        for inject in injects:
            text = str(inject.get("text", "")).strip() if isinstance(inject, dict) else ""
            if not text:
                error = _("Each inject needs a text.")
                break
            minutes = inject.get("after_minutes", 0)
            if (
                isinstance(minutes, bool)
                or not isinstance(minutes, int)
                or not 0 <= minutes <= INJECT_MAX_MINUTES
            ):
                error = _("after_minutes is a whole number of minutes from 0 to %(max)d.") % {
                    "max": INJECT_MAX_MINUTES
                }
                break
            platform = str(inject.get("platform", "") or "x")
            if platform not in PLATFORMS:
                error = _("Unknown platform “%(platform)s”; use one of %(codes)s.") % {
                    "platform": platform[:32],
                    "codes": ", ".join(PLATFORMS),
                }
                break
            cleaned.append({"after_minutes": minutes, "platform": platform, "text": text[:INJECT_TEXT_MAX]})
    if error:
        raise DomainError(error, field_errors={"injects": [error]})
    # Stable sort: injects at the same minute keep the author's order (their release order).
    return sorted(cleaned, key=lambda i: i["after_minutes"])


def _brand_zone() -> ZoneInfo:
    return ZoneInfo(getattr(connection.tenant, "timezone", None) or "UTC")


def recurrence_clean(recurrence: str, start: datetime | None) -> str:
    """The rule as stored (upper case, no "RRULE:"), or a DomainError naming the field. At most
    daily: a drill more often than that is noise the team learns to ignore."""
    rule = (recurrence or "").strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:].strip()
    if not rule:
        return ""
    if len(rule) > RECURRENCE_MAX or "\n" in rule or "DTSTART" in rule.upper():
        raise DomainError(
            _("Write one RRULE, e.g. FREQ=MONTHLY;BYDAY=1TU."),
            field_errors={"recurrence": [_("One RRULE line, without DTSTART (set the start below).")]},
        )
    try:
        parsed = rrulestr(rule, dtstart=datetime(2000, 1, 1))
    except (ValueError, TypeError) as exc:
        raise DomainError(
            _("The recurrence is not a valid iCalendar rule."),
            field_errors={"recurrence": [_("Not a valid RRULE: %(reason)s") % {"reason": exc}]},
        ) from exc
    if parsed._freq > DAILY:  # HOURLY, MINUTELY, SECONDLY  # noqa: SLF001 - dateutil keeps it private
        raise DomainError(
            _("A drill recurs at most daily."),
            field_errors={"recurrence": [_("Use DAILY, WEEKLY, MONTHLY or YEARLY.")]},
        )
    if start is None:
        raise DomainError(
            _("A recurring drill needs its first date and time."),
            field_errors={"recurrence_start": [_("Required with a recurrence.")]},
        )
    return rule.upper()


def _minute(value: datetime | None) -> datetime | None:
    # A schedule runs on whole minutes (the rule itself has no finer grain than seconds).
    return value.replace(second=0, microsecond=0) if value is not None else None


def recurrence_next(scenario: DrillScenario, *, after: datetime) -> datetime | None:
    """The scenario's first occurrence strictly after `after`, or None when the rule has ended.
    The rule runs on the brand's wall clock (naive local times), each occurrence then placed in
    the zone: 10:00 stays 10:00 across a daylight-saving change."""
    if not scenario.recurrence or scenario.recurrence_start is None:
        return None
    zone = _brand_zone()
    local_start = timezone.localtime(scenario.recurrence_start, zone).replace(tzinfo=None)
    local_after = timezone.localtime(after, zone).replace(tzinfo=None)
    rule = rrulestr(scenario.recurrence, dtstart=local_start)
    # A wall time that falls in a spring-forward gap, or twice in autumn, resolves by fold=0.
    candidate = rule.after(local_after, inc=False)
    while candidate is not None and candidate.replace(tzinfo=zone) <= after:
        candidate = rule.after(candidate, inc=False)  # a repeated autumn hour read as already past
    return candidate.replace(tzinfo=zone) if candidate is not None else None


def drill_next_schedule(*, scenario_id: UUID, after: datetime | None = None) -> Drill | None:
    """Make sure the recurring scenario has its one next drill waiting. Safe to repeat (and to race:
    a partial unique index allows one waiting recurring drill per scenario); returns the waiting
    drill, or None when the scenario does not recur or its rule has ended."""
    with transaction.atomic():
        scenario = DrillScenario.objects.select_for_update().filter(pk=scenario_id).first()
        if scenario is None:
            return None
        waiting = Drill.objects.filter(scenario=scenario, recurring=True, state=Drill.State.SCHEDULED).first()
        if waiting is not None or not scenario.recurrence:
            return waiting
        after = max(after or timezone.now(), timezone.now())
        last = Drill.objects.filter(scenario=scenario, recurring=True).order_by("-scheduled_for").first()
        if last is not None:
            after = max(after, last.scheduled_for)  # never the same occurrence twice
        when = recurrence_next(scenario, after=after)
        if when is None:
            return None
        try:
            with transaction.atomic():
                return Drill.objects.create(scenario=scenario, scheduled_for=when, recurring=True)
        except IntegrityError:
            return Drill.objects.filter(
                scenario=scenario, recurring=True, state=Drill.State.SCHEDULED
            ).first()


@transaction.atomic
def drill_scenario_recurrence_set(
    *, actor: User | None, scenario_id: UUID, recurrence: str, recurrence_start: datetime | None
) -> DrillScenario:
    """Set, change or end a scenario's schedule. A waiting drill of the old schedule is dropped and
    the next occurrence of the new one is scheduled; drills already run stay as they are."""
    require_brand_action(actor, "manage_team")
    scenario = DrillScenario.objects.select_for_update().filter(pk=scenario_id).first()
    if scenario is None:
        raise DomainError("Unknown scenario.", field_errors={"scenario_id": ["Unknown scenario."]})
    rule = recurrence_clean(recurrence, recurrence_start)
    start = _minute(recurrence_start) if rule else None
    if (rule, start) == (scenario.recurrence, scenario.recurrence_start):
        return scenario  # the same schedule again changes nothing
    scenario.recurrence, scenario.recurrence_start = rule, start
    scenario.save(update_fields=["recurrence", "recurrence_start"])
    Drill.objects.filter(scenario=scenario, recurring=True, state=Drill.State.SCHEDULED).delete()
    if rule:
        # From just before the start, so the start itself is the first drill (when still ahead).
        drill_next_schedule(scenario_id=scenario.pk, after=start - timedelta(seconds=1))
    return scenario


@transaction.atomic
def drill_scenario_create(
    *,
    actor: User | None,
    title: str,
    description: str,
    severity: int = 2,
    source_category: str = "",
    injects: list | None = None,
    recurrence: str = "",
    recurrence_start: datetime | None = None,
) -> DrillScenario:
    require_brand_action(actor, "manage_team")
    if not (title or "").strip() or not (description or "").strip():
        raise DomainError(
            "A scenario needs a title and a description.", field_errors={"title": ["Required."]}
        )
    injects = _injects_clean(injects)
    rule = recurrence_clean(recurrence, recurrence_start)
    scenario = DrillScenario.objects.create(
        title=title.strip()[:200],
        description=description.strip(),
        severity=severity,
        source_category=source_category,
        injects=injects,
        recurrence=rule,
        recurrence_start=_minute(recurrence_start) if rule else None,
    )
    if rule:
        drill_next_schedule(scenario_id=scenario.pk, after=scenario.recurrence_start - timedelta(seconds=1))
    return scenario


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
def drill_start(*, drill_id: UUID, actor: User | None = None, now: datetime | None = None) -> Drill:
    """Start a drill: open its simulated incident (numbered D-n), post the injects already due, and
    schedule the scenario's next occurrence when it recurs. Starting twice returns the running drill.
    `now` is when it starts (the demo replays a drill held days ago)."""
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
    now = now or timezone.now()
    drill.state, drill.started_at, drill.incident = Drill.State.RUNNING, now, incident
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
    _injects_release(drill, now=now)
    if scenario.recurrence:
        drill_next_schedule(scenario_id=scenario.pk, after=max(now, drill.scheduled_for))
    return drill


def drill_mention_external_id(drill: Drill, index: int) -> str:
    """The inject's mention id on its platform: one per (drill, inject), so a retry finds it."""
    return f"drill-{drill.pk}-{index}"


def _injects_release(drill: Drill, *, now: datetime) -> int:
    """Post the drill's injects that are due (started_at + after_minutes) as drill mentions linked to
    its incident. Runs under the drill's row lock; `injects_released` and the (platform, external
    id) key make a repeat post nothing twice."""
    injects = drill.scenario.injects or []
    due = [
        (index, inject)
        for index, inject in enumerate(injects)
        if index >= drill.injects_released
        and drill.started_at + timedelta(minutes=int(inject.get("after_minutes", 0) or 0)) <= now
    ]
    if not due:
        return 0
    rows = [
        Mention(
            platform=str(inject.get("platform") or "x"),
            external_id=drill_mention_external_id(drill, index),
            kind=Mention.Kind.POST,
            author_handle="drill",
            author_name="DRILL",
            text=str(inject.get("text", "")),
            posted_at=drill.started_at + timedelta(minutes=int(inject.get("after_minutes", 0) or 0)),
            is_drill=True,
        )
        for index, inject in due
    ]
    Mention.all_objects.bulk_create(rows, ignore_conflicts=True)
    mentions = Mention.all_objects.filter(
        is_drill=True, external_id__in=[row.external_id for row in rows]
    ).order_by("posted_at")
    IncidentMention.objects.bulk_create(
        [IncidentMention(incident_id=drill.incident_id, mention=m) for m in mentions], ignore_conflicts=True
    )
    # Injects are released in list order (sorted by minute when the scenario was saved).
    drill.injects_released = due[-1][0] + 1
    drill.save(update_fields=["injects_released"])
    timeline_record(
        incident=drill.incident,
        actor=None,
        kind=TimelineKind.DRILL,
        text="\n".join(f"Drill post on {m.platform}: {m.text}" for m in mentions),
        data={"drill_id": str(drill.pk), "mention_ids": [str(m.pk) for m in mentions]},
        label="drill schedule",
    )
    # Scored like any mention (sentiment, complaint) so the team sees what it would see.
    transaction.on_commit(mentions_scoring_request)
    return len(rows)


def drill_injects_release_due(*, now: datetime | None = None) -> int:
    """Post every running drill's due injects. Each drill is claimed with SKIP LOCKED, so two
    sweeps at once share the drills and post each inject once. Returns how many were posted."""
    now = now or timezone.now()
    posted = 0
    for drill_id in Drill.objects.filter(state=Drill.State.RUNNING).values_list("pk", flat=True):
        with transaction.atomic():
            drill = (
                Drill.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("scenario", "incident")
                .filter(pk=drill_id, state=Drill.State.RUNNING)
                .first()
            )
            if drill is not None and drill.injects_released < len(drill.scenario.injects or []):
                posted += _injects_release(drill, now=now)
    return posted


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
    drill_next_schedule(scenario_id=drill.scenario_id)  # a no-op unless the scenario recurs
    return drill


def drills_start_due(*, now: datetime | None = None) -> int:
    """Start the drills whose time has come, post running drills' due injects, and make sure every
    recurring scenario has its next drill waiting. Returns how many drills started."""
    now = now or timezone.now()
    started = 0
    for drill_id in Drill.objects.filter(state=Drill.State.SCHEDULED, scheduled_for__lte=now).values_list(
        "pk", flat=True
    ):
        drill_start(drill_id=drill_id, actor=None)
        started += 1
    drill_injects_release_due(now=now)
    waiting = Drill.objects.filter(recurring=True, state=Drill.State.SCHEDULED).values("scenario_id")
    for scenario_id in (
        DrillScenario.objects.exclude(recurrence="").exclude(pk__in=waiting).values_list("pk", flat=True)
    ):
        drill_next_schedule(scenario_id=scenario_id, after=now)
    return started
