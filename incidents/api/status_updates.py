"""Client status updates of an incident (/api/v1/incidents/<id>/status-updates/, /status-updates/):
draft them; the crisis manager approves, the client approver approves or sends back what waits
for them."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response as ApiResponse

from incidents import selectors_crisis as selectors
from incidents.api.base import CrisisApiView, name_inputs_after_views
from incidents.models import StatusUpdate
from incidents.services import status_updates as status_update_services
from incidents.services.responses import COMMENT_MAX_LENGTH
from tenants.pagination import page_of, paginated_response
from tenants.roles import role_can


# --- Output ---------------------------------------------------------------------------------
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


# --- Views ----------------------------------------------------------------------------------
class StatusUpdateListCreateApi(CrisisApiView):
    ordering_fields = ("created_at",)

    class Filters(serializers.Serializer):
        state = serializers.ChoiceField(choices=StatusUpdate.State.choices, required=False)

    class Input(serializers.Serializer):
        conditions = serializers.CharField(max_length=status_update_services.STATUS_UPDATE_TEXT_MAX)
        actions = serializers.CharField(max_length=status_update_services.STATUS_UPDATE_TEXT_MAX)
        needs = serializers.CharField(
            max_length=status_update_services.STATUS_UPDATE_TEXT_MAX,
            required=False,
            allow_blank=True,
            default="",
        )
        requires_client_approval = serializers.BooleanField(default=False)

    @extend_schema(
        summary="List an incident's client status updates",
        parameters=[Filters],
        responses=page_of(StatusUpdateOut),
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
        return paginated_response(self, updates, StatusUpdateOut, default_ordering="-created_at")

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


name_inputs_after_views(globals())
