"""One crisis, one incident: a new alert joins the open incident it is about instead of opening
another, staff attach alerts and merge incidents, and an alert whose condition ended resolves
itself (and can be reopened). The joining rules are in docs/crisis.md ("One crisis, one incident")."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.models import (
    Alert,
    Incident,
    IncidentAssignment,
    IncidentMention,
    IncidentTask,
    ModerationAction,
    Response,
    StatusUpdate,
    TimelineEntry,
    TimelineKind,
)
from incidents.permissions import incident_permissions_sync, require_brand_action, require_incident_action
from incidents.services.incidents import (
    _evidence_mention_ids,
    _link_mentions,
    incident_open_from_alert,
    incident_payload,
    status_update_schedule,
)
from incidents.services.settings import crisis_settings_get
from incidents.services.timeline import timeline_record
from incidents.services.webhooks import webhook_emit
from tenants.errors import DomainError, text_checked
from tenants.models import User

Detector = Alert.Detector

# Alerts about the brand as a whole: they have no subject of their own, so within the brand's
# join window they belong to whatever crisis is already open.
BRAND_WIDE = (Detector.NEGATIVE_SPIKE, Detector.FOLLOWER_DROP, Detector.UNANSWERED_COMPLAINTS)


def _alert_mention_ids(alert: Alert) -> set[str]:
    evidence = alert.evidence if isinstance(alert.evidence, dict) else {}
    ids = set(_evidence_mention_ids(evidence))
    for key in ("member_ids", "mention_id"):
        raw = evidence.get(key)
        for value in raw if isinstance(raw, list) else [raw] if raw else []:
            ids.add(str(value))
    return ids


def _claim(alert: Alert) -> str:
    """The rumour's claim cluster, as its condition key (kept across fingerprint changes)."""
    return alert.condition_key if alert.detector == Detector.RUMOUR else ""


def incident_for_alert_find(*, alert: Alert, now: datetime | None = None) -> Incident | None:
    """The open incident this alert is about, or None. In order:
    1. an open incident with a linked mention the alert's evidence names (shared mentions);
    2. for a rumour, an open incident already holding an alert on the same claim cluster;
    3. for a brand-wide alert (spike, follower drop, unanswered complaints), the open incident
       active within the brand's join window; a rumour also joins such an incident if that
       incident has no claim of its own yet (it was opened from brand-wide symptoms).
    Drills and merged incidents never take alerts. A few bounded queries."""
    open_incidents = Incident.objects.filter(status__in=Incident.OPEN_STATUSES, is_drill=False)
    mention_ids = _alert_mention_ids(alert)
    if mention_ids:
        shared = (
            open_incidents.filter(mention_links__mention_id__in=mention_ids)
            .order_by("severity", "-opened_at")
            .first()
        )
        if shared is not None:
            return shared
    claim = _claim(alert)
    if claim:
        same_claim = (
            open_incidents.filter(alerts__detector=Detector.RUMOUR, alerts__condition_key=claim)
            .exclude(alerts__pk=alert.pk)
            .order_by("severity", "-opened_at")
            .first()
        )
        if same_claim is not None:
            return same_claim
    if alert.detector not in BRAND_WIDE and alert.detector != Detector.RUMOUR:
        return None  # a threat is about one post: it joins only by that post
    minutes = crisis_settings_get().incident_join_window_minutes
    if not minutes:
        return None
    since = (alert.window_start or now or timezone.now()) - timedelta(minutes=minutes)
    recent = open_incidents.filter(Q(opened_at__gte=since) | Q(alerts__last_seen_at__gte=since)).exclude(
        alerts__pk=alert.pk
    )
    if alert.detector == Detector.RUMOUR:
        recent = recent.exclude(alerts__detector=Detector.RUMOUR)  # it has a claim of its own
    return recent.distinct().order_by("severity", "-opened_at").first()


def _attach(*, incident: Incident, alert: Alert, actor: User | None, reason: str) -> Incident:
    alert.incident, alert.state = incident, Alert.State.INCIDENT_OPENED
    alert.save(update_fields=["incident", "state", "updated_at"])
    mention_ids = [m for m in _alert_mention_ids(alert)]
    from incidents.models import Mention

    existing = [str(pk) for pk in Mention.objects.filter(pk__in=mention_ids).values_list("pk", flat=True)]
    if existing:
        _link_mentions(incident=incident, actor=actor, mention_ids=existing)
    timeline_record(
        incident=incident,
        actor=actor,
        kind=TimelineKind.ALERT_LINKED,
        text=_("Alert joined this incident (%(reason)s): %(title)s (%(severity)s)")
        % {"reason": reason, "title": alert.title, "severity": alert.get_severity_display()},
        data={"alert_id": str(alert.pk), "detector": str(alert.detector), "reason": reason},
        label="" if actor else _("automatic (one crisis, one incident)"),
    )
    # A worse symptom raises the incident's severity (alerts and incidents share one scale).
    if Alert.Severity.is_worse(alert.severity, than=incident.severity) and not incident.is_drill:
        incident.severity = alert.severity
        status_update_schedule(
            incident=incident,
            settings=crisis_settings_get(),
            since=incident.last_status_update_at or incident.opened_at,
        )
        incident.save(
            update_fields=["severity", "status_update_due_at", "status_update_reminded_at", "updated_at"]
        )
    return incident


@transaction.atomic
def incident_auto_open_for_alert(*, alert_id: UUID) -> Incident | None:
    """What a newly raised (or escalated) alert does: join the open incident it is about, else open
    one when it is at or above the brand's auto-open severity, else nothing. Safe to repeat. The
    brand's crisis-settings row is locked first, so two alerts of one burst processed at once
    cannot both open an incident."""
    settings = crisis_settings_get(for_update=True)
    alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None or alert.state in (Alert.State.DISMISSED, Alert.State.RESOLVED):
        return None
    if alert.incident_id:
        return alert.incident
    incident = incident_for_alert_find(alert=alert)
    if incident is not None:
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        return _attach(incident=incident, alert=alert, actor=None, reason=_("same crisis"))
    threshold = settings.auto_open_max_severity
    if threshold is None or not Alert.Severity.is_at_or_worse(alert.severity, threshold):
        return None
    return incident_open_from_alert(alert_id=alert_id, actor=None)


@transaction.atomic
def incident_alert_attach(*, incident_id: UUID, alert_id: UUID, actor: User | None) -> Incident:
    """Staff attach an alert to an incident by hand. An alert on another open incident moves (its
    old incident's timeline says where). Safe to repeat."""
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    require_incident_action(actor, "triage", incident)
    if not incident.is_open:
        raise DomainError(
            _("Only an open incident takes alerts."),
            field_errors={"incident_id": [_("This incident is closed.")]},
        )
    alert = Alert.objects.select_for_update().get(pk=alert_id)
    if alert.incident_id == incident.pk:
        return incident
    if alert.incident_id:
        previous = Incident.objects.select_for_update().get(pk=alert.incident_id)
        require_incident_action(actor, "triage", previous)
        timeline_record(
            incident=previous,
            actor=actor,
            kind=TimelineKind.ALERT_LINKED,
            text=_("Alert moved to #%(number)s: %(title)s")
            % {"number": incident.number, "title": alert.title},
            data={"alert_id": str(alert.pk), "moved_to": str(incident.pk)},
        )
    return _attach(incident=incident, alert=alert, actor=actor, reason=_("attached by staff"))


# The one limit on a merge's reason: the API and the war room describe and obey it.
MERGE_REASON_MAX = 2000


@transaction.atomic
def incident_merge(*, incident_id: UUID, into_id: UUID, actor: User | None, reason: str = "") -> Incident:
    """Fold one incident into another (the survivor). Its timeline, mentions, alerts, team, tasks,
    responses, moderation and client updates move; it is left `merged` and points to the survivor.
    The survivor keeps the more severe severity and the earlier client-update deadline. Safe to
    repeat; merging an incident into itself, a drill, or into a closed incident is refused."""
    if str(incident_id) == str(into_id):
        raise DomainError(
            _("An incident cannot be merged into itself."),
            field_errors={"into": [_("Choose another incident.")]},
        )
    reason = text_checked(reason, field="reason", max_length=MERGE_REASON_MAX)
    # Lock both in a fixed order so two merges at once cannot deadlock.
    locked = {
        str(i.pk): i
        for i in Incident.objects.select_for_update().filter(pk__in=[incident_id, into_id]).order_by("pk")
    }
    source, survivor = locked.get(str(incident_id)), locked.get(str(into_id))
    if source is None or survivor is None:
        raise Incident.DoesNotExist
    require_incident_action(actor, "resolve", source)
    require_incident_action(actor, "triage", survivor)
    if source.merged_into_id == survivor.pk:
        return survivor
    if source.status == Incident.Status.MERGED:
        raise DomainError(_("This incident was already merged into another."))
    if not survivor.is_open:
        raise DomainError(
            _("Merge into an open incident."), field_errors={"into": [_("The surviving incident is closed.")]}
        )
    if source.is_drill or survivor.is_drill:
        raise DomainError(
            _("Drills are not merged with real incidents."), field_errors={"into": [_("A drill.")]}
        )

    now = timezone.now()
    moved = {"timeline": TimelineEntry.objects.filter(incident=source).update(incident=survivor)}
    # Mentions: the survivor keeps one link per mention.
    linked = set(IncidentMention.objects.filter(incident=survivor).values_list("mention_id", flat=True))
    mention_links = IncidentMention.objects.filter(incident=source)
    moved["mentions"] = mention_links.exclude(mention_id__in=linked).update(incident=survivor)
    mention_links.delete()  # the duplicates of links the survivor already had
    moved["alerts"] = Alert.objects.filter(incident=source).update(incident=survivor)
    moved["tasks"] = IncidentTask.objects.filter(incident=source).update(incident=survivor)
    moved["responses"] = Response.objects.filter(incident=source).update(incident=survivor)
    moved["moderation"] = ModerationAction.objects.filter(incident=source).update(incident=survivor)
    moved["status_updates"] = StatusUpdate.objects.filter(incident=source).update(incident=survivor)
    # Team: an active role the survivor already has for that person ends; the rest move.
    users = set()
    team = 0
    for assignment in IncidentAssignment.objects.filter(incident=source).select_related("member"):
        if assignment.member.user_id:
            users.add(assignment.member.user)
        duplicate = (
            assignment.ended_at is None
            and IncidentAssignment.objects.filter(
                incident=survivor, member=assignment.member, role=assignment.role, ended_at__isnull=True
            ).exists()
        )
        if duplicate:
            assignment.ended_at, assignment.ended_by = now, actor if getattr(actor, "pk", None) else None
            assignment.save(update_fields=["ended_at", "ended_by"])
        assignment.incident = survivor
        assignment.save(update_fields=["incident"])
        team += 1
    moved["team"] = team
    for user in users:
        incident_permissions_sync(incident=source, user=user)
        incident_permissions_sync(incident=survivor, user=user)

    # The survivor: the worse severity, every platform, the earlier client-update deadline.
    fields = [
        "severity",
        "affected_platforms",
        "status_update_due_at",
        "status_update_reminded_at",
        "updated_at",
    ]
    if source.severity < survivor.severity:
        survivor.severity = source.severity
        status_update_schedule(
            incident=survivor,
            settings=crisis_settings_get(),
            since=survivor.last_status_update_at or survivor.opened_at,
        )
    survivor.affected_platforms = sorted(set(survivor.affected_platforms) | set(source.affected_platforms))
    dues = [d for d in (survivor.status_update_due_at, source.status_update_due_at) if d]
    if dues:
        survivor.status_update_due_at = min(dues)
    survivor.save(update_fields=fields)

    previous = source.status
    source.status, source.merged_into = Incident.Status.MERGED, survivor
    source.status_update_due_at = None
    source.save(update_fields=["status", "merged_into", "status_update_due_at", "updated_at"])
    reason = (reason or "").strip()
    data = {"merged": str(source.pk), "survivor": str(survivor.pk), "moved": moved, "reason": reason}
    timeline_record(
        incident=survivor,
        actor=actor,
        kind=TimelineKind.MERGED,
        text=_("Merged #%(source)s (%(title)s) into this incident")
        % {"source": source.number, "title": source.title}
        + (f": {reason}" if reason else ""),
        data=data,
        pinned=True,  # the client followed two incidents; they need to know they are one now
    )
    timeline_record(
        incident=source,
        actor=actor,
        kind=TimelineKind.MERGED,
        text=_("Merged into #%(number)s; its timeline continues there.") % {"number": survivor.number},
        data={**data, "from_status": previous},
    )
    webhook_emit(
        event="incident.merged",
        payload={**incident_payload(source), "merged_into": incident_payload(survivor)},
    )
    return survivor


def incidents_auto_open_pending() -> int:
    """The periodic safety net behind the immediate task: open alerts at or above the brand's
    auto-open severity still without an incident join the incident they are about, or open one.
    Returns how many found one."""
    threshold = crisis_settings_get().auto_open_max_severity
    if threshold is None:
        return 0
    pending = Alert.objects.filter(
        state=Alert.State.OPEN, incident__isnull=True, severity__in=Alert.Severity.at_or_worse(threshold)
    )
    done = 0
    for alert_id in pending.order_by("raised_at").values_list("pk", flat=True):
        if incident_auto_open_for_alert(alert_id=alert_id) is not None:
            done += 1
    return done


def _alert_event(alert: Alert) -> dict:
    return {
        "id": str(alert.pk),
        "detector": alert.detector,
        "condition_key": alert.condition_key,
        "state": alert.state,
        "severity": alert.severity,
        "title": alert.title,
        "incident_id": str(alert.incident_id) if alert.incident_id else None,
        "resolved_at": alert.resolved_at,
    }


# --- Alerts whose condition ended ------------------------------------------------------------
def alerts_resolve_ended(*, seen: set[tuple[str, str]], now: datetime | None = None) -> int:
    """After a detector sweep: every live sweep alert (open, acknowledged, or on an incident) whose
    condition the sweep no longer found resolves itself, with an entry on its incident's timeline.
    Threat alerts are about one post and stay until staff act. Returns how many resolved."""
    now = now or timezone.now()
    live = Alert.objects.select_for_update().filter(
        state__in=[*Alert.ACTIVE_STATES, Alert.State.INCIDENT_OPENED],
        detector__in=[*BRAND_WIDE, Detector.RUMOUR],
    )
    resolved = 0
    for alert in live.select_related("incident").select_for_update(of=("self",)):
        if (alert.detector, alert.condition_key) in seen:
            continue
        alert.state, alert.resolved_at = Alert.State.RESOLVED, now
        alert.save(update_fields=["state", "resolved_at", "updated_at"])
        webhook_emit(event="alert.resolved", payload=_alert_event(alert))
        resolved += 1
        if alert.incident_id and alert.incident.status != Incident.Status.MERGED:
            timeline_record(
                incident=alert.incident,
                actor=None,
                kind=TimelineKind.ALERT_RESOLVED,
                text=_("Alert condition ended: %(title)s") % {"title": alert.title},
                data={"alert_id": str(alert.pk), "detector": str(alert.detector)},
                label=_("detectors"),
            )
    return resolved


@transaction.atomic
def alert_reopen(*, alert_id: UUID, actor: User | None, reason: str = "") -> Alert:
    """Staff reopen an alert that resolved itself (or was dismissed): it goes back on its incident
    if it has one, else it is open again. Refused while another live alert holds the condition."""
    alert = Alert.objects.select_for_update().get(pk=alert_id)
    if alert.state in (*Alert.ACTIVE_STATES, Alert.State.INCIDENT_OPENED):
        return alert  # already live: nothing to do
    if alert.incident_id:
        incident = Incident.objects.select_for_update().get(pk=alert.incident_id)
        require_incident_action(actor, "triage", incident)
        alert.state = Alert.State.INCIDENT_OPENED
    else:
        if Alert.objects.filter(
            detector=alert.detector, condition_key=alert.condition_key, state__in=Alert.ACTIVE_STATES
        ).exists():
            raise DomainError(
                _("A live alert already covers this condition; work on that one."),
                field_errors={"alert_id": [_("Another alert is live for this condition.")]},
            )
        require_brand_action(actor, "triage")
        incident = None
        alert.state = Alert.State.OPEN
    alert.resolved_at = None
    alert.last_seen_at = timezone.now()
    alert.save(update_fields=["state", "resolved_at", "last_seen_at", "updated_at"])
    webhook_emit(event="alert.reopened", payload=_alert_event(alert))
    if incident is not None:
        reason = (reason or "").strip()
        timeline_record(
            incident=incident,
            actor=actor,
            kind=TimelineKind.ALERT_REOPENED,
            text=_("Alert reopened: %(title)s") % {"title": alert.title} + (f" ({reason})" if reason else ""),
            data={"alert_id": str(alert.pk), "reason": reason},
        )
    return alert
