"""Crisis-plan API on a brand host (/api/v1/crisis-plan/versions/…): list and read the plan's
versions (published, the open draft, discarded drafts), publish one written by hand, edit the open
draft, publish it (the next version number; the reviews that fed it get their "plan" step done) or
discard it with a reason.
Drafts come from reviews (`POST /api/v1/reviews/{id}/plan/`). Staff only: the plan is internal."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response as ApiResponse

from incidents.api.base import name_inputs_after_views
from incidents.models import CrisisPlanVersion
from incidents.services import plans as services
from tenants.api_base import BrandApiView
from tenants.pagination import page_of, paginated_response


class PlanSourceReviewOut(serializers.Serializer):
    id = serializers.UUIDField()
    incident = serializers.UUIDField(source="incident_id")
    incident_number = serializers.IntegerField(source="incident.number")
    incident_display_number = serializers.CharField(source="incident.display_number")
    incident_title = serializers.CharField(source="incident.title")


class ProposedChangeOut(serializers.Serializer):
    lesson_id = serializers.UUIDField()
    text = serializers.CharField()
    review_id = serializers.UUIDField()
    incident_id = serializers.UUIDField()
    incident_number = serializers.IntegerField()
    # "#12", or "D-3" for a drill; absent from changes proposed before drills were numbered apart.
    incident_display_number = serializers.CharField(required=False)
    incident_title = serializers.CharField()


class PlanVersionOut(serializers.ModelSerializer):
    proposed_changes = ProposedChangeOut(many=True, read_only=True)
    source_reviews = PlanSourceReviewOut(many=True, read_only=True)

    class Meta:
        model = CrisisPlanVersion
        fields = [
            "id", "version", "state", "roles_and_contacts", "escalation_thresholds", "holding_statements",
            "guidelines", "change_note", "based_on_version", "proposed_changes", "source_reviews",
            "created_at", "published_at", "discarded_at", "discard_reason",
        ]  # fmt: skip


def _versions():
    return CrisisPlanVersion.objects.prefetch_related("source_reviews__incident")


class PlanApiView(BrandApiView):
    read_permission = "workspace.read"
    write_permission = "crisis.write"

    def version(self, version_id) -> CrisisPlanVersion:
        version = _versions().filter(pk=version_id).first()
        if version is None:
            raise Http404("No such crisis-plan version.")
        return version

    def out(self, version_id):
        return PlanVersionOut(self.version(version_id)).data


class PlanSectionsIn(serializers.Serializer):
    roles_and_contacts = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    escalation_thresholds = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    holding_statements = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    guidelines = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    change_note = serializers.CharField(required=False, allow_blank=True, max_length=300)


class PlanVersionListApi(PlanApiView):
    ordering_fields = ("created_at",)

    class Filters(serializers.Serializer):
        state = serializers.ChoiceField(choices=CrisisPlanVersion.State.choices, required=False)

    @extend_schema(
        parameters=[OpenApiParameter("state", str)],
        operation_id="v1_crisis_plan_versions_list",
        responses=page_of(PlanVersionOut),
    )
    def get(self, request):
        filters = self.validated(self.Filters, request.query_params)
        versions = _versions()
        if filters.get("state"):
            versions = versions.filter(state=filters["state"])
        return paginated_response(self, versions, PlanVersionOut, default_ordering="-created_at")

    class Input(PlanSectionsIn):
        pass

    @extend_schema(request=Input, responses={201: PlanVersionOut})
    def post(self, request):
        """Publish a version written by hand (the same text as the current version returns it)."""
        data = self.validated(self.Input, request.data)
        version = services.crisis_plan_publish(actor=self.actor, **data)
        return ApiResponse(self.out(version.pk), status=status.HTTP_201_CREATED)


class PlanVersionDetailApi(PlanApiView):
    class Input(PlanSectionsIn):
        pass

    @extend_schema(responses=PlanVersionOut)
    def get(self, request, version_id):
        return ApiResponse(self.out(version_id))

    @extend_schema(request=Input, responses=PlanVersionOut)
    def patch(self, request, version_id):
        self.version(version_id)
        data = self.validated(self.Input, request.data)
        services.crisis_plan_draft_update(draft_id=version_id, actor=self.actor, **data)
        return ApiResponse(self.out(version_id))


class PlanVersionPublishApi(PlanApiView):
    @extend_schema(request=None, responses=PlanVersionOut)
    def post(self, request, version_id):
        self.version(version_id)
        services.crisis_plan_draft_publish(draft_id=version_id, actor=self.actor)
        return ApiResponse(self.out(version_id))


class PlanVersionDiscardApi(PlanApiView):
    class Input(serializers.Serializer):
        reason = serializers.CharField(max_length=4000)

    @extend_schema(request=Input, responses=PlanVersionOut)
    def post(self, request, version_id):
        self.version(version_id)
        data = self.validated(self.Input, request.data)
        services.crisis_plan_draft_discard(draft_id=version_id, actor=self.actor, **data)
        return ApiResponse(self.out(version_id))


name_inputs_after_views(globals(), nested=("Input", "Filters"))
