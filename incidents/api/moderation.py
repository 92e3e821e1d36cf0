"""Moderation (/api/v1/moderation/, /guidelines/): the moderation log (client viewers read it
too), new moderation actions, the integration's confirmation, and the community guidelines the
actions cite."""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response as ApiResponse

from incidents import selectors_crisis as selectors
from incidents.api.base import CrisisApiView, name_inputs_after_views
from incidents.models import GuidelineVersion, ModerationAction
from incidents.services import moderation as moderation_services
from tenants.pagination import page_of, paginated_response


# --- Output ---------------------------------------------------------------------------------
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


class GuidelineVersionOut(serializers.ModelSerializer):
    class RuleOut(serializers.Serializer):
        number = serializers.IntegerField()
        title = serializers.CharField()
        text = serializers.CharField()

    rules = RuleOut(many=True, read_only=True)

    class Meta:
        model = GuidelineVersion
        fields = ["id", "version", "intro", "change_note", "created_at", "rules"]


# --- Views ----------------------------------------------------------------------------------
class ModerationListCreateApi(CrisisApiView):
    """The moderation log (visible to the client's viewers too) and new moderation actions."""

    ordering_fields = ("at",)

    class Input(serializers.Serializer):
        mention_id = serializers.UUIDField()
        action = serializers.ChoiceField(choices=ModerationAction.Action.choices)
        rule_number = serializers.IntegerField(required=False, allow_null=True, default=None)
        reason = serializers.CharField(
            max_length=moderation_services.REASON_MAX, required=False, allow_blank=True, default=""
        )
        public_explanation = serializers.CharField(
            max_length=moderation_services.REASON_MAX, required=False, allow_blank=True, default=""
        )
        incident_id = serializers.UUIDField(required=False, allow_null=True, default=None)

    @extend_schema(
        parameters=[OpenApiParameter("incident", str, description="Incident id")],
        responses=page_of(ModerationOut),
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
        return paginated_response(self, log, ModerationOut, default_ordering="-at")

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


name_inputs_after_views(globals())
