"""Responses (/api/v1/responses/): draft, edit, submit, approve or reject, withdraw; the
integration confirms what it posted. A client approver sees what was sent to them, nothing else."""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response as ApiResponse

from incidents import selectors_crisis as selectors
from incidents.api.base import CrisisApiView, name_inputs_after_views, str_list
from incidents.models import Response, ResponseKind
from incidents.models.crisis import LANGUAGE_CHOICES
from incidents.services import responses as response_services
from incidents.services.responses import COMMENT_MAX_LENGTH
from tenants.pagination import page_of, paginated_response


# --- Output ---------------------------------------------------------------------------------
class ResponseOut(serializers.ModelSerializer):
    class Meta:
        model = Response
        fields = [
            "id", "incident", "mention", "kind", "language", "text", "template", "at_fault", "empathy_passed",
            "empathy_checks", "state", "requires_approval", "requires_client_approval", "rejection_reason",
            "created_at", "approved_at", "approved_text", "sent_at", "external_id",
        ]  # fmt: skip


# --- Views ----------------------------------------------------------------------------------
class ResponseListCreateApi(CrisisApiView):
    read_permission = "responses.read"
    ordering_fields = ("created_at",)

    class Input(serializers.Serializer):
        kind = serializers.ChoiceField(choices=ResponseKind.choices)
        incident_id = serializers.UUIDField(required=False, allow_null=True, default=None)
        mention_id = serializers.UUIDField(required=False, allow_null=True, default=None)
        text = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=response_services.TEXT_MAX
        )
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
        responses=page_of(ResponseOut),
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
            state=str_list(request.query_params.get("state", "")),
            for_client=self.for_client,  # a client approver sees what was sent to them, nothing else
        )
        return paginated_response(self, responses, ResponseOut, default_ordering="-created_at")

    @extend_schema(request=Input, responses={201: ResponseOut})
    def post(self, request):
        data = self.validated(self.Input, request.data)
        response = response_services.response_draft(actor=self.actor, **data)
        return ApiResponse(ResponseOut(response).data, status=status.HTTP_201_CREATED)


class ResponseDetailApi(CrisisApiView):
    read_permission = "responses.read"

    class Input(serializers.Serializer):
        text = serializers.CharField(max_length=response_services.TEXT_MAX)
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


name_inputs_after_views(globals())
