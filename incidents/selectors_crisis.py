"""Reads for crisis work. Client callers get `for_client=True`: drills are never shown to them,
and an incident's timeline is only its pinned entries."""

from datetime import timedelta
from uuid import UUID

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from incidents.models import (
    Incident,
    IncidentAssignment,
    IncidentTask,
    ModerationAction,
    Response,
    RosterMember,
    StatusUpdate,
    TimelineEntry,
)
from tenants.severity import Severity


def incident_list(
    *,
    for_client: bool = False,
    status: list[str] | None = None,
    severity: list[int] | None = None,
    source: list[str] | None = None,
    opened_within_hours: int | None = None,
    older_than_hours: int | None = None,
    is_drill: bool | None = None,
) -> QuerySet[Incident]:
    qs = Incident.objects.annotate(
        open_task_count=Count(
            "tasks", filter=~Q(tasks__status__in=IncidentTask.CLOSED_STATUSES), distinct=True
        ),
        mention_count=Count("mention_links", distinct=True),
    )
    if for_client:
        qs = qs.filter(is_drill=False)
    elif is_drill is not None:
        qs = qs.filter(is_drill=is_drill)
    if status:
        qs = qs.filter(status__in=status)
    if severity:
        qs = qs.filter(severity__in=severity)
    if source:
        qs = qs.filter(source_category__in=source)
    now = timezone.now()
    if opened_within_hours is not None:
        qs = qs.filter(opened_at__gte=now - timedelta(hours=opened_within_hours))
    if older_than_hours is not None:
        qs = qs.filter(opened_at__lt=now - timedelta(hours=older_than_hours))
    return qs.order_by("-opened_at")


def incident_get(*, incident_id: UUID, for_client: bool = False) -> Incident:
    """The incident, or Http404 (a drill is missing to a client)."""
    qs = Incident.objects.all()
    if for_client:
        qs = qs.filter(is_drill=False)
    incident = qs.filter(pk=incident_id).first()
    if incident is None:
        raise Http404("No such incident.")
    return incident


def timeline_list(*, incident: Incident, pinned_only: bool = False) -> QuerySet[TimelineEntry]:
    qs = TimelineEntry.objects.filter(incident=incident).select_related("actor").order_by("at")
    return qs.filter(pinned=True) if pinned_only else qs


def assignment_list(*, incident: Incident, active_only: bool = False) -> QuerySet[IncidentAssignment]:
    qs = IncidentAssignment.objects.filter(incident=incident).select_related(
        "member", "assigned_by", "ended_by"
    )
    return qs.filter(ended_at__isnull=True) if active_only else qs.order_by("started_at")


def task_list(*, incident: Incident, open_only: bool = False) -> QuerySet[IncidentTask]:
    qs = IncidentTask.objects.filter(incident=incident).select_related("owner")
    return qs.exclude(status__in=IncidentTask.CLOSED_STATUSES) if open_only else qs.order_by("due_at")


def response_list(
    *, incident: Incident | None = None, state: list[str] | None = None, for_client: bool = False
) -> QuerySet[Response]:
    qs = Response.objects.select_related("incident", "mention", "template", "approved_by", "created_by")
    if incident is not None:
        qs = qs.filter(incident=incident)
    if for_client:
        qs = _sent_to_client(qs)
    if state:
        qs = qs.filter(state__in=state)
    return qs.order_by("-created_at")


def _sent_to_client(qs: QuerySet[Response]) -> QuerySet[Response]:
    """What a client approver may see: responses submitted for their sign-off, never a drill's,
    never a draft the agency is still writing (nor one they sent back for changes)."""
    return qs.filter(requires_client_approval=True, requires_approval=True).exclude(
        Q(incident__is_drill=True) | Q(state=Response.State.DRAFT)
    )


def response_get(*, response_id: UUID, for_client: bool = False) -> Response:
    """The response, or Http404 (to a client, anything not sent to them is missing)."""
    qs = Response.objects.select_related("incident", "mention")
    if for_client:
        qs = _sent_to_client(qs)
    response = qs.filter(pk=response_id).first()
    if response is None:
        raise Http404("No such response.")
    return response


def moderation_log_list(
    *, incident: Incident | None = None, for_client: bool = False
) -> QuerySet[ModerationAction]:
    qs = ModerationAction.objects.select_related("rule__version", "mention", "actor", "incident")
    if incident is not None:
        qs = qs.filter(incident=incident)
    if for_client:
        qs = qs.exclude(incident__is_drill=True)
    return qs.order_by("-at")


def status_update_list(
    *, incident: Incident, sent_only: bool = False, waiting_for_client: bool = False
) -> QuerySet[StatusUpdate]:
    """The incident's status updates; for a client, the sent ones (and, for the client's approver,
    those waiting for their approval)."""
    qs = StatusUpdate.objects.filter(incident=incident).select_related("drafted_by", "approved_by")
    if sent_only:
        wanted = [StatusUpdate.State.SENT]
        if waiting_for_client:
            wanted.append(StatusUpdate.State.PENDING_CLIENT)
        qs = qs.filter(state__in=wanted)
    return qs


def roster_list(*, active_only: bool = True) -> QuerySet[RosterMember]:
    qs = RosterMember.objects.select_related("backup", "user")
    return qs.filter(is_active=True) if active_only else qs


def war_room_get(*, incident_id: UUID) -> dict:
    """Everything the war room shows for one incident, in a fixed number of queries."""
    from incidents.models import Mention

    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        raise Http404("No such incident.")
    mentions = list(
        # A drill's war room lists its injected posts (only a drill's incident links them).
        Mention.all_objects.filter(incident_links__incident=incident)
        .prefetch_related(
            Prefetch(
                "responses",
                queryset=Response.objects.exclude(state=Response.State.WITHDRAWN).order_by("-created_at"),
            )
        )
        .order_by("-posted_at")[:200]
    )
    return {
        "incident": incident,
        "team": list(assignment_list(incident=incident, active_only=True)),
        "team_history": list(assignment_list(incident=incident).filter(ended_at__isnull=False)),
        "timeline": list(timeline_list(incident=incident)),
        "mentions": mentions,
        "pending_approvals": list(response_list(incident=incident, state=[Response.State.PENDING_APPROVAL])),
        "drafts": list(response_list(incident=incident, state=[Response.State.DRAFT])),
        "approved": list(response_list(incident=incident, state=[Response.State.APPROVED])),
        "open_tasks": list(task_list(incident=incident, open_only=True).order_by("due_at")),
        "status_updates": list(status_update_list(incident=incident)),
        "alerts": list(incident.alerts.all()),
    }


def crisis_hold_incident(*, max_severity: int = Severity.HIGH) -> Incident | None:
    """The open real (not drill) incident of this severity or worse (SEV1 is the worst: lower
    numbers) that holds the content calendar: the worst, then the oldest. The content app's one
    read of incidents."""
    return (
        Incident.objects.filter(status__in=Incident.OPEN_STATUSES, is_drill=False, severity__lte=max_severity)
        .order_by("severity", "opened_at")
        .first()
    )


def crisis_mode_active(*, max_severity: int = Severity.HIGH) -> bool:
    """Whether a real (not drill) incident of this severity or worse (lower numbers) is open: the
    content app holds scheduled promotional posts while it is."""
    return Incident.objects.filter(
        status__in=Incident.OPEN_STATUSES, is_drill=False, severity__lte=max_severity
    ).exists()


def client_waiting_list(*, incident: Incident) -> dict:
    """What waits for the client's approver on this incident: submitted responses marked for
    client approval, and status updates the crisis manager sent to the client for approval."""
    return {
        "responses": list(
            _sent_to_client(Response.objects.filter(incident=incident, state=Response.State.PENDING_APPROVAL))
            .select_related("mention")
            .order_by("created_at")
        ),
        "status_updates": list(
            StatusUpdate.objects.filter(
                incident=incident, state=StatusUpdate.State.PENDING_CLIENT, requires_client_approval=True
            ).order_by("created_at")
        ),
    }


def client_decision_target_exists(*, incident: Incident, kind: str, item_id: UUID) -> bool:
    """Whether `item_id` is a response or status update of this incident that was sent to the
    client for approval (decided already or not: a repeated decision is answered, not a 404)."""
    model = {"response": Response, "status_update": StatusUpdate}.get(kind)
    if model is None:
        return False
    return model.objects.filter(pk=item_id, incident=incident, requires_client_approval=True).exists()


MENTION_SEARCH_LIMIT = 50


def mention_candidates_list(
    *,
    incident: Incident,
    q: str = "",
    platform: str = "",
    band: str = "",
    unanswered_only: bool = False,
    days: int = 7,
    limit: int | None = MENTION_SEARCH_LIMIT,
) -> list:
    """Mentions the war room may link to the incident: not linked yet, posted in the last `days`,
    matching the search text (in the text or the author), platform, sentiment band and whether
    they still wait for an answer. Newest first, at most `limit`."""
    from incidents.models import Mention

    qs = Mention.objects.exclude(incident_links__incident=incident).filter(
        posted_at__gte=timezone.now() - timedelta(days=max(1, min(days, 90))), is_own=False
    )
    q = (q or "").strip()[:200]
    if q:
        qs = qs.filter(Q(text__icontains=q) | Q(author_handle__icontains=q.lstrip("@")))
    if platform:
        qs = qs.filter(platform=platform)
    if band in Mention.Band.values:
        qs = qs.filter(sentiment_band=band)
    if unanswered_only:
        qs = qs.filter(answered_at__isnull=True)
    if limit is None:  # the API pages through all of them
        return qs.order_by("-posted_at")
    return list(qs.order_by("-posted_at")[:limit])


def alerts_attachable_list(*, incident: Incident, limit: int = 20) -> list:
    """Recent alerts staff may attach to the incident: any not already on it, newest first."""
    from incidents.models import Alert

    return list(
        Alert.objects.exclude(incident=incident).select_related("incident").order_by("-raised_at")[:limit]
    )


def merge_targets_list(*, incident: Incident) -> list[Incident]:
    """Open, real incidents this one may be merged into."""
    return list(
        Incident.objects.filter(status__in=Incident.OPEN_STATUSES, is_drill=False)
        .exclude(pk=incident.pk)
        .order_by("severity", "-opened_at")[:50]
    )
