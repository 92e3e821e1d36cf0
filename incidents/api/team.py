"""The crisis team (/api/v1/roster/, assignments, tasks): the roster, who is assigned to an
incident, and the incident's tasks."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response as ApiResponse

from incidents import selectors_crisis as selectors
from incidents.api.base import CrisisApiView, name_inputs_after_views
from incidents.models import CrisisRole, IncidentAssignment, IncidentTask, RosterMember
from incidents.services import team as team_services
from tenants.pagination import page_of, paginated_response


# --- Output ---------------------------------------------------------------------------------
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


class RosterMemberOut(serializers.ModelSerializer):
    class Meta:
        model = RosterMember
        fields = ["id", "user", "name", "role", "email", "phone", "organisation", "backup", "is_active"]


# --- Views ----------------------------------------------------------------------------------
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
        responses=page_of(RosterMemberOut),
        operation_id="v1_roster_list",
    )
    def get(self, request):
        filters = self.validated(self.Filters, request.query_params)
        # Active members unless asked otherwise (what the list always answered).
        active = True if filters["is_active"] is None else filters["is_active"]
        members = selectors.roster_list(active_only=False).filter(is_active=active)
        if filters.get("role"):
            members = members.filter(role=filters["role"])
        return paginated_response(self, members, RosterMemberOut, default_ordering="created_at")

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
        responses=page_of(AssignmentOut),
        operation_id="v1_incidents_assignments_list",
    )
    def get(self, request, incident_id):
        incident = self.incident(incident_id)
        filters = self.validated(self.Filters, request.query_params)
        # Clients see who is on the team now; staff also see the history.
        assignments = selectors.assignment_list(incident=incident, active_only=self.for_client)
        if filters["active"] is not None:
            assignments = assignments.filter(ended_at__isnull=filters["active"])
        return paginated_response(self, assignments, AssignmentOut, default_ordering="started_at")

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
        title = serializers.CharField(max_length=team_services.TASK_TITLE_MAX)
        description = serializers.CharField(
            max_length=team_services.TASK_DESCRIPTION_MAX, required=False, allow_blank=True, default=""
        )
        owner_id = serializers.UUIDField()
        due_at = serializers.DateTimeField()

    @extend_schema(
        summary="List an incident's tasks",
        parameters=[Filters],
        responses=page_of(TaskOut),
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
        return paginated_response(self, tasks, TaskOut, default_ordering="due_at")

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


name_inputs_after_views(globals())
