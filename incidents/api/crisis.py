"""Crisis-work API on a brand host (/api/v1/): incidents, timeline, team, tasks, responses,
moderation, client status updates. Access to the brand is checked before any handler runs;
what a person may do on an incident is checked by the services against incidents/permissions.py.

Client people (client viewer, client approver) read incidents through the client view: no drills,
the timeline's pinned entries only. They never write, except a client approver approving what is
sent to them. API keys read, and write only the integration's confirmations."""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response as ApiResponse

from incidents import selectors_crisis as selectors
from incidents.models import (
    CrisisRole,
    GuidelineVersion,
    Incident,
    IncidentAssignment,
    IncidentTask,
    Mention,
    ModerationAction,
    Response,
    ResponseKind,
    ResponseTemplate,
    RosterMember,
    Severity,
    SourceCategory,
    StatusUpdate,
    TimelineEntry,
)
from incidents.models.crisis import LANGUAGE_CHOICES
from incidents.permissions import CLIENT_ROLES, incident_actions
from incidents.services import incidents as incident_services
from incidents.services import moderation as moderation_services
from incidents.services import one_crisis
from incidents.services import responses as response_services
from incidents.services import status_updates as status_update_services
from incidents.services import team as team_services
from incidents.services import timeline as timeline_services
from incidents.services.responses import COMMENT_MAX_LENGTH
from tenants.api_base import INTEGRATION, BrandApiView
from tenants.errors import DomainError
from tenants.pagination import page_of, paginated_response
from tenants.roles import role_can

MAX_AGE_HOURS = 24 * 366 * 100  # a century: more than any incident's age, well inside timedelta


# --- Output ---------------------------------------------------------------------------------
class IncidentOut(serializers.ModelSerializer):
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id", "number", "title", "summary", "severity", "severity_label", "status", "source_category",
            "root_cause_notes", "resolution_summary", "review_summary", "affected_platforms", "is_drill",
            "opened_at", "triaged_at", "responding_at", "first_response_at", "resolved_at", "reviewed_at",
            "reopen_count", "status_update_due_at", "last_status_update_at", "merged_into", "updated_at",
        ]  # fmt: skip


class MentionCandidateOut(serializers.ModelSerializer):
    class Meta:
        model = Mention
        fields = [
            "id", "platform", "kind", "author_handle", "text", "url", "posted_at", "sentiment_band",
            "is_complaint", "answered_at",
        ]  # fmt: skip


class IncidentClientOut(serializers.ModelSerializer):
    """What the client sees: no internal notes."""

    severity_label = serializers.CharField(source="get_severity_display", read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id", "number", "title", "summary", "severity", "severity_label", "status", "source_category",
            "resolution_summary", "affected_platforms", "opened_at", "first_response_at", "resolved_at",
            "last_status_update_at",
        ]  # fmt: skip


class TimelineEntryOut(serializers.ModelSerializer):
    class Meta:
        model = TimelineEntry
        fields = ["id", "at", "actor_label", "kind", "text", "data", "pinned"]


class TimelineEntryClientOut(serializers.ModelSerializer):
    class Meta:
        model = TimelineEntry
        fields = ["id", "at", "actor_label", "kind", "text"]


class AssignmentOut(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = IncidentAssignment
        fields = ["id", "member", "member_name", "role", "started_at", "ended_at"]


class TaskOut(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = IncidentTask
        fields = [
            "id", "incident", "title", "description", "owner", "owner_name", "due_at", "status",
            "created_at", "completed_at", "reminded_at", "escalated_at",
        ]  # fmt: skip


class ResponseOut(serializers.ModelSerializer):
    class Meta:
        model = Response
        fields = [
            "id", "incident", "mention", "kind", "language", "text", "template", "at_fault", "empathy_passed",
            "empathy_checks", "state", "requires_approval", "requires_client_approval", "rejection_reason",
            "created_at", "approved_at", "approved_text", "sent_at", "external_id",
        ]  # fmt: skip


class ModerationOut(serializers.ModelSerializer):
    rule_number = serializers.IntegerField(source="rule.number", read_only=True)
    rule_title = serializers.CharField(source="rule.title", read_only=True)
    guidelines_version = serializers.IntegerField(source="rule.version.version", read_only=True)

    class Meta:
        model = ModerationAction
        fields = [
            "id", "mention", "incident", "action", "rule_number", "rule_title", "guidelines_version", "reason",
            "public_explanation", "author_handle", "platform", "actor_label", "at", "carried_out_at",
            "external_ref",
        ]  # fmt: skip


class StatusUpdateOut(serializers.ModelSerializer):
    class Meta:
        model = StatusUpdate
        fields = [
            "id",
            "incident",
            "conditions",
            "actions",
            "needs",
            "state",
            "requires_client_approval",
            "rejection_reason",
            "created_at",
            "approved_at",
            "client_decided_at",
            "sent_at",
        ]


class RosterMemberOut(serializers.ModelSerializer):
    class Meta:
        model = RosterMember
        fields = ["id", "user", "name", "role", "email", "phone", "organisation", "backup", "is_active"]


class ResponseTemplateOut(serializers.ModelSerializer):
    class Meta:
        model = ResponseTemplate
        fields = ["id", "name", "language", "situation", "kind", "body", "is_active", "updated_at"]


class GuidelineVersionOut(serializers.ModelSerializer):
    class RuleOut(serializers.Serializer):
        number = serializers.IntegerField()
        title = serializers.CharField()
        text = serializers.CharField()

    rules = RuleOut(many=True, read_only=True)

    class Meta:
        model = GuidelineVersion
        fields = ["id", "version", "intro", "change_note", "created_at", "rules"]


# --- Bases ------------------------------------------------------------------------------------
_page_of = page_of  # the one page shape (tenants/pagination.py)


def _paginated(view, queryset, serializer_class, ordering: str):
    """One cursor page (bounded `page_size`, the request's `ordering` among the view's)."""
    return paginated_response(view, queryset, serializer_class, default_ordering=ordering)


class CrisisApiView(BrandApiView):
    write_permission = "crisis.write"

    @property
    def for_client(self) -> bool:
        return self.brand_role in CLIENT_ROLES

    def incident(self, incident_id) -> Incident:
        """The incident if the caller may see it; otherwise 404, like a missing one."""
        return selectors.incident_get(incident_id=incident_id, for_client=self.for_client)

    def sees_internal(self, incident: Incident) -> bool:
        if self.brand_role == INTEGRATION:
            return True
        return "view_internal" in incident_actions(self.request.user, incident)


def _int_list(value: str) -> list[int]:
    return [int(v) for v in value.split(",") if v.strip().isdigit()]


def _str_list(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


# --- Incidents --------------------------------------------------------------------------------
class IncidentListCreateApi(CrisisApiView):
    ordering_fields = ("opened_at", "number")

    class Input(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        summary = serializers.CharField(required=False, allow_blank=True, default="")
        severity = serializers.ChoiceField(choices=Severity.choices, default=Severity.MEDIUM)
        source_category = serializers.ChoiceField(
            choices=SourceCategory.choices, required=False, allow_blank=True, default=""
        )
        affected_platforms = serializers.ListField(
            child=serializers.CharField(max_length=32), required=False, default=list
        )
        mention_ids = serializers.ListField(child=serializers.UUIDField(), required=False, default=list)

    class AgeFilters(serializers.Serializer):
        # Bounded: an hour count past what a timedelta holds would otherwise be a 500.
        opened_within_hours = serializers.IntegerField(
            required=False, allow_null=True, default=None, min_value=0, max_value=MAX_AGE_HOURS
        )
        older_than_hours = serializers.IntegerField(
            required=False, allow_null=True, default=None, min_value=0, max_value=MAX_AGE_HOURS
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description="Comma-separated statuses"),
            OpenApiParameter("severity", str, description="Comma-separated severities (1–4)"),
            OpenApiParameter("source", str, description="Comma-separated source categories"),
            OpenApiParameter("opened_within_hours", int),
            OpenApiParameter("older_than_hours", int),
        ],
        responses=_page_of(IncidentOut),
        operation_id="v1_incidents_list",
    )
    def get(self, request):
        params = request.query_params
        ages = self.validated(self.AgeFilters, params)
        incidents = selectors.incident_list(
            for_client=self.for_client,
            status=_str_list(params.get("status", "")),
            severity=_int_list(params.get("severity", "")),
            source=_str_list(params.get("source", "")),
            **ages,
        )
        return _paginated(
            self, incidents, IncidentClientOut if self.for_client else IncidentOut, "-opened_at"
        )

    @extend_schema(
        request=Input,
        responses={201: IncidentOut},
        examples=[
            OpenApiExample(
                "A product defect",
                value={
                    "title": "Kopi basi di gerai Bandung",
                    "summary": "Several customers report stale coffee from one outlet.",
                    "severity": 2,
                    "source_category": "product_defect",
                    "affected_platforms": ["instagram", "x"],
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        data = self.validated(self.Input, request.data)
        incident = incident_services.incident_open(actor=self.actor, **data)
        return ApiResponse(IncidentOut(incident).data, status=status.HTTP_201_CREATED)


class IncidentFromAlertApi(CrisisApiView):
    class Input(serializers.Serializer):
        alert_id = serializers.UUIDField()

    @extend_schema(request=Input, responses={201: IncidentOut})
    def post(self, request):
        from incidents.models import Alert

        data = self.validated(self.Input, request.data)
        if not Alert.objects.filter(pk=data["alert_id"]).exists():
            raise Http404("No such alert.")
        incident = incident_services.incident_open_from_alert(alert_id=data["alert_id"], actor=self.actor)
        return ApiResponse(IncidentOut(incident).data, status=status.HTTP_201_CREATED)


class IncidentDetailApi(CrisisApiView):
    class Input(serializers.Serializer):
        title = serializers.CharField(max_length=200, required=False)
        summary = serializers.CharField(required=False, allow_blank=True)
        severity = serializers.ChoiceField(choices=Severity.choices, required=False)
        source_category = serializers.ChoiceField(
            choices=SourceCategory.choices, required=False, allow_blank=True
        )
        root_cause_notes = serializers.CharField(required=False, allow_blank=True)
        affected_platforms = serializers.ListField(child=serializers.CharField(max_length=32), required=False)

    @extend_schema(responses=IncidentOut)
    def get(self, request, incident_id):
        incident = self.incident(incident_id)
        return ApiResponse((IncidentClientOut if self.for_client else IncidentOut)(incident).data)

    @extend_schema(request=Input, responses=IncidentOut)
    def patch(self, request, incident_id):
        self.incident(incident_id)
        data = self.validated(self.Input, request.data)
        incident = incident_services.incident_update(incident_id=incident_id, actor=self.actor, **data)
        return ApiResponse(IncidentOut(incident).data)


class IncidentTransitionApi(CrisisApiView):
    class Input(serializers.Serializer):
        to_status = serializers.ChoiceField(choices=Incident.Status.choices)  # IncidentStatusEnum
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)
        summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=4000)

    @extend_schema(request=Input, responses=IncidentOut)
    def post(self, request, incident_id):
        self.incident(incident_id)
        data = self.validated(self.Input, request.data)
        incident = incident_services.incident_transition(incident_id=incident_id, actor=self.actor, **data)
        return ApiResponse(IncidentOut(incident).data)


class IncidentMentionsLinkApi(CrisisApiView):
    class Input(serializers.Serializer):
        mention_ids = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=500)

    @extend_schema(
        request=Input,
        responses=inline_serializer("IncidentMentionsLinked", {"linked": serializers.IntegerField()}),
    )
    def post(self, request, incident_id):
        self.incident(incident_id)
        data = self.validated(self.Input, request.data)
        linked = incident_services.incident_mentions_link(incident_id=incident_id, actor=self.actor, **data)
        return ApiResponse({"linked": linked})


class IncidentMentionCandidatesApi(CrisisApiView):
    """Search the mentions not yet linked to the incident, to link more of them."""

    read_permission = "workspace.read"
    ordering_fields = ("posted_at",)

    class Filters(serializers.Serializer):
        q = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
        platform = serializers.CharField(required=False, allow_blank=True, default="", max_length=32)
        band = serializers.ChoiceField(
            choices=Mention.Band.choices, required=False, allow_blank=True, default=""
        )
        unanswered = serializers.BooleanField(required=False, default=False)
        days = serializers.IntegerField(required=False, default=7, min_value=1, max_value=90)

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Words in the text or the author's handle"),
            OpenApiParameter("platform", str),
            OpenApiParameter("band", str, description="negative, neutral or positive"),
            OpenApiParameter("unanswered", bool),
            OpenApiParameter("days", int, description="Posted in the last N days (1–90, default 7)"),
        ],
        responses=_page_of(MentionCandidateOut),
        operation_id="v1_incidents_mention_candidates_list",
    )
    def get(self, request, incident_id):
        incident = self.incident(incident_id)
        data = self.validated(self.Filters, request.query_params)
        mentions = selectors.mention_candidates_list(
            incident=incident,
            q=data["q"],
            platform=data["platform"],
            band=data["band"],
            unanswered_only=data["unanswered"],
            days=data["days"],
            limit=None,
        )
        return _paginated(self, mentions, MentionCandidateOut, "-posted_at")


class IncidentAlertAttachApi(CrisisApiView):
    """Attach an alert to this incident (it moves from another incident if it was on one)."""

    write_permission = "crisis.write"

    class Input(serializers.Serializer):
        alert_id = serializers.UUIDField()

    @extend_schema(request=Input, responses=IncidentOut)
    def post(self, request, incident_id):
        from incidents.models import Alert

        self.incident(incident_id)
        data = self.validated(self.Input, request.data)
        if not Alert.objects.filter(pk=data["alert_id"]).exists():
            raise DomainError("No such alert.", field_errors={"alert_id": ["No such alert."]})
        incident = one_crisis.incident_alert_attach(
            incident_id=incident_id, alert_id=data["alert_id"], actor=self.actor
        )
        return ApiResponse(IncidentOut(incident).data)


class IncidentMergeApi(CrisisApiView):
    """Merge this incident into another (`into`, the survivor); answers with the survivor."""

    write_permission = "crisis.write"

    class Input(serializers.Serializer):
        into = serializers.UUIDField()
        reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    @extend_schema(request=Input, responses=IncidentOut)
    def post(self, request, incident_id):
        self.incident(incident_id)
        data = self.validated(self.Input, request.data)
        if not Incident.objects.filter(pk=data["into"]).exists():
            raise DomainError("No such incident.", field_errors={"into": ["No such incident."]})
        survivor = one_crisis.incident_merge(
            incident_id=incident_id, into_id=data["into"], actor=self.actor, reason=data["reason"]
        )
        return ApiResponse(IncidentOut(survivor).data)


# --- Timeline ---------------------------------------------------------------------------------
class TimelineApi(CrisisApiView):
    ordering_fields = ("at",)

    class Filters(serializers.Serializer):
        kind = serializers.CharField(required=False, max_length=32)
        pinned = serializers.BooleanField(required=False, allow_null=True, default=None)

    class Input(serializers.Serializer):
        text = serializers.CharField(max_length=8000)
        pinned = serializers.BooleanField(default=False)

    @extend_schema(
        summary="List an incident's timeline",
        parameters=[Filters],
        responses=_page_of(TimelineEntryOut),
        operation_id="v1_incidents_timeline_list",
    )
    def get(self, request, incident_id):
        incident = self.incident(incident_id)
        internal = self.sees_internal(incident)
        filters = self.validated(self.Filters, request.query_params)
        entries = selectors.timeline_list(incident=incident, pinned_only=not internal)
        if filters.get("kind"):
            entries = entries.filter(kind=filters["kind"])
        if filters["pinned"] is not None:
            entries = entries.filter(pinned=filters["pinned"])
        return _paginated(self, entries, TimelineEntryOut if internal else TimelineEntryClientOut, "at")

    @extend_schema(request=Input, responses={201: TimelineEntryOut})
    def post(self, request, incident_id):
        self.incident(incident_id)
        data = self.validated(self.Input, request.data)
        entry = timeline_services.timeline_note_add(incident_id=incident_id, actor=self.actor, **data)
        return ApiResponse(TimelineEntryOut(entry).data, status=status.HTTP_201_CREATED)


class TimelinePinApi(CrisisApiView):
    class Input(serializers.Serializer):
        pinned = serializers.BooleanField()

    @extend_schema(request=Input, responses=TimelineEntryOut)
    def post(self, request, incident_id, entry_id):
        incident = self.incident(incident_id)
        if not TimelineEntry.objects.filter(pk=entry_id, incident=incident).exists():
            raise Http404("No such timeline entry.")
        data = self.validated(self.Input, request.data)
        entry = timeline_services.timeline_pin_set(entry_id=entry_id, actor=self.actor, **data)
        return ApiResponse(TimelineEntryOut(entry).data)


# --- Team and tasks ---------------------------------------------------------------------------
class RosterApi(CrisisApiView):
    read_permission = "workspace.read"
    ordering_fields = ("created_at", "name")

    class Filters(serializers.Serializer):
        role = serializers.ChoiceField(choices=CrisisRole.choices, required=False)
        is_active = serializers.BooleanField(required=False, allow_null=True, default=None)

    class Input(serializers.Serializer):
        role = serializers.ChoiceField(choices=CrisisRole.choices)
        user_email = serializers.EmailField(required=False)
        name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        email = serializers.EmailField(required=False, allow_blank=True, default="")
        phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
        organisation = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        backup_id = serializers.UUIDField(required=False, allow_null=True, default=None)

    @extend_schema(
        summary="List the crisis roster",
        parameters=[Filters],
        responses=_page_of(RosterMemberOut),
        operation_id="v1_roster_list",
    )
    def get(self, request):
        filters = self.validated(self.Filters, request.query_params)
        # Active members unless asked otherwise (what the list always answered).
        active = True if filters["is_active"] is None else filters["is_active"]
        members = selectors.roster_list(active_only=False).filter(is_active=active)
        if filters.get("role"):
            members = members.filter(role=filters["role"])
        return _paginated(self, members, RosterMemberOut, "created_at")

    @extend_schema(
        summary="Add a member to the crisis roster", request=Input, responses={201: RosterMemberOut}
    )
    def post(self, request):
        data = self.validated(self.Input, request.data)
        member = team_services.roster_member_add(actor=self.actor, **data)
        return ApiResponse(RosterMemberOut(member).data, status=status.HTTP_201_CREATED)


class AssignmentListCreateApi(CrisisApiView):
    read_permission = "brand.read"
    ordering_fields = ("started_at",)

    class Filters(serializers.Serializer):
        active = serializers.BooleanField(required=False, allow_null=True, default=None)

    class Input(serializers.Serializer):
        member_id = serializers.UUIDField()
        role = serializers.ChoiceField(choices=CrisisRole.choices, required=False)

    @extend_schema(
        summary="List an incident's team assignments",
        parameters=[Filters],
        responses=_page_of(AssignmentOut),
        operation_id="v1_incidents_assignments_list",
    )
    def get(self, request, incident_id):
        incident = self.incident(incident_id)
        filters = self.validated(self.Filters, request.query_params)
        # Clients see who is on the team now; staff also see the history.
        assignments = selectors.assignment_list(incident=incident, active_only=self.for_client)
        if filters["active"] is not None:
            assignments = assignments.filter(ended_at__isnull=filters["active"])
        return _paginated(self, assignments, AssignmentOut, "started_at")

    @extend_schema(
        summary="Assign a roster member to an incident", request=Input, responses={201: AssignmentOut}
    )
    def post(self, request, incident_id):
        self.incident(incident_id)
        data = self.validated(self.Input, request.data)
        assignment = team_services.assignment_add(incident_id=incident_id, actor=self.actor, **data)
        return ApiResponse(AssignmentOut(assignment).data, status=status.HTTP_201_CREATED)


class AssignmentEndApi(CrisisApiView):
    @extend_schema(request=None, responses=AssignmentOut)
    def post(self, request, assignment_id):
        if not IncidentAssignment.objects.filter(pk=assignment_id).exists():
            raise Http404("No such assignment.")
        assignment = team_services.assignment_end(assignment_id=assignment_id, actor=self.actor)
        return ApiResponse(AssignmentOut(assignment).data)


class TaskListCreateApi(CrisisApiView):
    read_permission = "workspace.read"
    ordering_fields = ("due_at", "created_at")

    class Filters(serializers.Serializer):
        status = serializers.ChoiceField(choices=IncidentTask.Status.choices, required=False)
        owner = serializers.UUIDField(required=False)

    class Input(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        description = serializers.CharField(required=False, allow_blank=True, default="")
        owner_id = serializers.UUIDField()
        due_at = serializers.DateTimeField()

    @extend_schema(
        summary="List an incident's tasks",
        parameters=[Filters],
        responses=_page_of(TaskOut),
        operation_id="v1_incidents_tasks_list",
    )
    def get(self, request, incident_id):
        incident = self.incident(incident_id)
        filters = self.validated(self.Filters, request.query_params)
        tasks = selectors.task_list(incident=incident)
        if filters.get("status"):
            tasks = tasks.filter(status=filters["status"])
        if filters.get("owner"):
            tasks = tasks.filter(owner_id=filters["owner"])
        return _paginated(self, tasks, TaskOut, "due_at")

    @extend_schema(summary="Create a task on an incident", request=Input, responses={201: TaskOut})
    def post(self, request, incident_id):
        self.incident(incident_id)
        data = self.validated(self.Input, request.data)
        task = team_services.task_create(incident_id=incident_id, actor=self.actor, **data)
        return ApiResponse(TaskOut(task).data, status=status.HTTP_201_CREATED)


class TaskDetailApi(CrisisApiView):
    read_permission = "workspace.read"

    class Input(serializers.Serializer):
        status = serializers.ChoiceField(choices=IncidentTask.Status.choices, required=False)
        due_at = serializers.DateTimeField(required=False)
        owner_id = serializers.UUIDField(required=False)

    def _task(self, task_id) -> IncidentTask:
        task = IncidentTask.objects.select_related("owner").filter(pk=task_id).first()
        if task is None:
            raise Http404("No such task.")
        return task

    @extend_schema(responses=TaskOut)
    def get(self, request, task_id):
        return ApiResponse(TaskOut(self._task(task_id)).data)

    @extend_schema(request=Input, responses=TaskOut)
    def patch(self, request, task_id):
        self._task(task_id)
        data = self.validated(self.Input, request.data)
        task = team_services.task_update(task_id=task_id, actor=self.actor, **data)
        return ApiResponse(TaskOut(task).data)


# --- Client status updates -----------------------------------------------------------------------
class StatusUpdateListCreateApi(CrisisApiView):
    ordering_fields = ("created_at",)

    class Filters(serializers.Serializer):
        state = serializers.ChoiceField(choices=StatusUpdate.State.choices, required=False)

    class Input(serializers.Serializer):
        conditions = serializers.CharField(max_length=8000)
        actions = serializers.CharField(max_length=8000)
        needs = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")
        requires_client_approval = serializers.BooleanField(default=False)

    @extend_schema(
        summary="List an incident's client status updates",
        parameters=[Filters],
        responses=_page_of(StatusUpdateOut),
        operation_id="v1_incidents_status_updates_list",
    )
    def get(self, request, incident_id):
        incident = self.incident(incident_id)
        filters = self.validated(self.Filters, request.query_params)
        updates = selectors.status_update_list(
            incident=incident,
            sent_only=self.for_client,
            waiting_for_client=role_can(self.brand_role, "reports.decide"),
        )
        if filters.get("state"):
            updates = updates.filter(state=filters["state"])
        return _paginated(self, updates, StatusUpdateOut, "-created_at")

    @extend_schema(request=Input, responses={201: StatusUpdateOut})
    def post(self, request, incident_id):
        self.incident(incident_id)
        data = self.validated(self.Input, request.data)
        update = status_update_services.status_update_draft(incident_id=incident_id, actor=self.actor, **data)
        return ApiResponse(StatusUpdateOut(update).data, status=status.HTTP_201_CREATED)


class StatusUpdateApproveApi(CrisisApiView):
    """The crisis manager approves a draft; the client approver approves one waiting for them."""

    write_permission = "approvals.decide"

    class Input(serializers.Serializer):
        comment = serializers.CharField(
            max_length=COMMENT_MAX_LENGTH, required=False, allow_blank=True, default=""
        )

    def _update(self, status_update_id) -> StatusUpdate:
        update = StatusUpdate.objects.select_related("incident").filter(pk=status_update_id).first()
        if update is None:
            raise Http404("No such status update.")
        self.incident(update.incident_id)  # a client sees no drill's updates
        return update

    @extend_schema(request=Input, responses=StatusUpdateOut)
    def post(self, request, status_update_id):
        self._update(status_update_id)
        data = self.validated(self.Input, request.data)
        update = status_update_services.status_update_approve(
            status_update_id=status_update_id, actor=self.actor, **data
        )
        return ApiResponse(StatusUpdateOut(update).data)


class StatusUpdateRejectApi(StatusUpdateApproveApi):
    """The client approver sends an update waiting for them back to the team, with a reason."""

    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=COMMENT_MAX_LENGTH)

    @extend_schema(request=Input, responses=StatusUpdateOut)
    def post(self, request, status_update_id):
        self._update(status_update_id)
        data = self.validated(self.Input, request.data)
        update = status_update_services.status_update_reject(
            status_update_id=status_update_id, actor=self.actor, **data
        )
        return ApiResponse(StatusUpdateOut(update).data)


# --- Responses --------------------------------------------------------------------------------
class ResponseListCreateApi(CrisisApiView):
    read_permission = "responses.read"
    ordering_fields = ("created_at",)

    class Input(serializers.Serializer):
        kind = serializers.ChoiceField(choices=ResponseKind.choices)
        incident_id = serializers.UUIDField(required=False, allow_null=True, default=None)
        mention_id = serializers.UUIDField(required=False, allow_null=True, default=None)
        text = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)
        template_id = serializers.UUIDField(required=False, allow_null=True, default=None)
        context = serializers.DictField(
            child=serializers.CharField(max_length=500), required=False, default=dict
        )
        language = serializers.ChoiceField(
            choices=LANGUAGE_CHOICES, required=False, allow_null=True, default=None
        )
        # Not assumed: an apology is demanded only when the caller says the brand is at fault.
        at_fault = serializers.BooleanField(default=False)
        requires_client_approval = serializers.BooleanField(default=False)

    @extend_schema(
        parameters=[
            OpenApiParameter("incident", str, description="Incident id"),
            OpenApiParameter("state", str, description="Comma-separated states"),
        ],
        responses=_page_of(ResponseOut),
        operation_id="v1_responses_list",
    )
    def get(self, request):
        incident = None
        if request.query_params.get("incident"):
            try:
                incident = self.incident(request.query_params["incident"])
            except ValidationError as exc:  # a malformed id is as unknown as a missing one
                raise Http404("No such incident.") from exc
        responses = selectors.response_list(
            incident=incident,
            state=_str_list(request.query_params.get("state", "")),
            for_client=self.for_client,  # a client approver sees what was sent to them, nothing else
        )
        return _paginated(self, responses, ResponseOut, "-created_at")

    @extend_schema(request=Input, responses={201: ResponseOut})
    def post(self, request):
        data = self.validated(self.Input, request.data)
        response = response_services.response_draft(actor=self.actor, **data)
        return ApiResponse(ResponseOut(response).data, status=status.HTTP_201_CREATED)


class ResponseDetailApi(CrisisApiView):
    read_permission = "responses.read"

    class Input(serializers.Serializer):
        text = serializers.CharField(max_length=8000)
        at_fault = serializers.BooleanField(required=False, allow_null=True, default=None)

    def response(self, response_id) -> Response:
        return selectors.response_get(response_id=response_id, for_client=self.for_client)

    @extend_schema(responses=ResponseOut)
    def get(self, request, response_id):
        return ApiResponse(ResponseOut(self.response(response_id)).data)

    @extend_schema(request=Input, responses=ResponseOut)
    def patch(self, request, response_id):
        self.response(response_id)
        data = self.validated(self.Input, request.data)
        response = response_services.response_update(response_id=response_id, actor=self.actor, **data)
        return ApiResponse(ResponseOut(response).data)


class _ResponseActionApi(ResponseDetailApi):
    service = None
    Input = None

    def post(self, request, response_id):
        self.response(response_id)
        data = self.validated(self.Input, request.data) if self.Input else {}
        response = type(self).service(response_id=response_id, actor=self.actor, **data)
        return ApiResponse(ResponseOut(response).data)


class ResponseSubmitApi(_ResponseActionApi):
    http_method_names = ["post", "options"]
    service = staticmethod(response_services.response_submit)

    @extend_schema(request=None, responses=ResponseOut)
    def post(self, request, response_id):
        return super().post(request, response_id)


class ResponseApproveApi(_ResponseActionApi):
    http_method_names = ["post", "options"]
    write_permission = "approvals.decide"
    service = staticmethod(response_services.response_approve)

    class Input(serializers.Serializer):
        comment = serializers.CharField(
            max_length=COMMENT_MAX_LENGTH, required=False, allow_blank=True, default=""
        )

    @extend_schema(request=Input, responses=ResponseOut)
    def post(self, request, response_id):
        return super().post(request, response_id)


class ResponseRejectApi(_ResponseActionApi):
    http_method_names = ["post", "options"]
    write_permission = "approvals.decide"
    service = staticmethod(response_services.response_reject)

    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=COMMENT_MAX_LENGTH)

    @extend_schema(request=Input, responses=ResponseOut)
    def post(self, request, response_id):
        return super().post(request, response_id)


class ResponseWithdrawApi(_ResponseActionApi):
    http_method_names = ["post", "options"]
    service = staticmethod(response_services.response_withdraw)

    @extend_schema(request=None, responses=ResponseOut)
    def post(self, request, response_id):
        return super().post(request, response_id)


class ResponseConfirmSentApi(_ResponseActionApi):
    """The integration reports that it posted the response. Idempotent."""

    http_method_names = ["post", "options"]
    write_permission = "integration.confirm"

    class Input(serializers.Serializer):
        external_id = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
        sent_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    @extend_schema(request=Input, responses=ResponseOut)
    def post(self, request, response_id):
        self.response(response_id)
        data = self.validated(self.Input, request.data)
        response = response_services.response_confirm_sent(response_id=response_id, actor=self.actor, **data)
        return ApiResponse(ResponseOut(response).data)


class ResponseTemplateListCreateApi(CrisisApiView):
    read_permission = "workspace.read"
    ordering_fields = ("name", "updated_at")

    class Filters(serializers.Serializer):
        language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, required=False)
        situation = serializers.ChoiceField(choices=ResponseTemplate.Situation.choices, required=False)
        kind = serializers.ChoiceField(choices=ResponseKind.choices, required=False)

    class Input(serializers.Serializer):
        name = serializers.CharField(max_length=120)
        language = serializers.ChoiceField(choices=LANGUAGE_CHOICES)
        situation = serializers.ChoiceField(choices=ResponseTemplate.Situation.choices)
        kind = serializers.ChoiceField(choices=ResponseKind.choices, default=ResponseKind.REPLY)
        body = serializers.CharField(max_length=8000)

    @extend_schema(
        summary="List the response templates (archived ones are left out)",
        parameters=[Filters],
        responses=_page_of(ResponseTemplateOut),
        operation_id="v1_response_templates_list",
    )
    def get(self, request):
        filters = self.validated(self.Filters, request.query_params)
        templates = ResponseTemplate.objects.filter(is_active=True, **filters)
        return _paginated(self, templates, ResponseTemplateOut, "name")

    @extend_schema(summary="Create a response template", request=Input, responses={201: ResponseTemplateOut})
    def post(self, request):
        data = self.validated(self.Input, request.data)
        template = response_services.response_template_save(actor=self.actor, **data)
        return ApiResponse(ResponseTemplateOut(template).data, status=status.HTTP_201_CREATED)


class ResponseTemplateDetailApi(CrisisApiView):
    read_permission = "workspace.read"

    def template(self, template_id) -> ResponseTemplate:
        template = ResponseTemplate.objects.filter(pk=template_id, is_active=True).first()
        if template is None:
            raise Http404("No such response template.")
        return template

    @extend_schema(summary="Get a response template", responses=ResponseTemplateOut)
    def get(self, request, template_id):
        return ApiResponse(ResponseTemplateOut(self.template(template_id)).data)

    @extend_schema(
        summary="Archive a response template (drafts made from it keep their text)",
        request=None,
        responses={204: None},
    )
    def delete(self, request, template_id):
        self.template(template_id)
        response_services.response_template_archive(actor=self.actor, template_id=template_id)
        return ApiResponse(status=status.HTTP_204_NO_CONTENT)


# --- Moderation -------------------------------------------------------------------------------
class ModerationListCreateApi(CrisisApiView):
    """The moderation log (visible to the client's viewers too) and new moderation actions."""

    ordering_fields = ("at",)

    class Input(serializers.Serializer):
        mention_id = serializers.UUIDField()
        action = serializers.ChoiceField(choices=ModerationAction.Action.choices)
        rule_number = serializers.IntegerField(required=False, allow_null=True, default=None)
        reason = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
        public_explanation = serializers.CharField(
            max_length=4000, required=False, allow_blank=True, default=""
        )
        incident_id = serializers.UUIDField(required=False, allow_null=True, default=None)

    @extend_schema(
        parameters=[OpenApiParameter("incident", str, description="Incident id")],
        responses=_page_of(ModerationOut),
        operation_id="v1_moderation_list",
    )
    def get(self, request):
        incident = None
        if request.query_params.get("incident"):
            try:
                incident = self.incident(request.query_params["incident"])
            except ValidationError as exc:
                raise Http404("No such incident.") from exc
        log = selectors.moderation_log_list(incident=incident, for_client=self.for_client)
        return _paginated(self, log, ModerationOut, "-at")

    @extend_schema(request=Input, responses={201: ModerationOut})
    def post(self, request):
        data = self.validated(self.Input, request.data)
        entry = moderation_services.moderation_act(actor=self.actor, **data)
        return ApiResponse(ModerationOut(entry).data, status=status.HTTP_201_CREATED)


class ModerationConfirmApi(CrisisApiView):
    write_permission = "integration.only"

    class Input(serializers.Serializer):
        external_ref = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(request=Input, responses=ModerationOut)
    def post(self, request, moderation_id):
        if not ModerationAction.objects.filter(pk=moderation_id).exists():
            raise Http404("No such moderation action.")
        data = self.validated(self.Input, request.data)
        entry = moderation_services.moderation_confirm(moderation_id=moderation_id, **data)
        return ApiResponse(ModerationOut(entry).data)


class GuidelinesApi(CrisisApiView):
    class Input(serializers.Serializer):
        class RuleIn(serializers.Serializer):
            title = serializers.CharField(max_length=200)
            text = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")

        intro = serializers.CharField(required=False, allow_blank=True, default="", max_length=8000)
        change_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
        rules = RuleIn(many=True)

    @extend_schema(responses=GuidelineVersionOut)
    def get(self, request):
        current = moderation_services.guidelines_current()
        if current is None:
            raise Http404("No community guidelines yet.")
        return ApiResponse(GuidelineVersionOut(current).data)

    @extend_schema(request=Input, responses={201: GuidelineVersionOut})
    def post(self, request):
        data = self.validated(self.Input, request.data)
        version = moderation_services.guidelines_publish(actor=self.actor, **data)
        return ApiResponse(GuidelineVersionOut(version).data, status=status.HTTP_201_CREATED)


# The house style nests each view's input as `Input`; the OpenAPI schema names components by
# class name, so give each one its view's name to keep the components apart.
for _view in list(globals().values()):
    if (
        isinstance(_view, type)
        and issubclass(_view, BrandApiView)
        and _view.__dict__.get("Input") is not None
    ):
        _view.Input.__name__ = _view.__name__.removesuffix("Api") + "Input"
