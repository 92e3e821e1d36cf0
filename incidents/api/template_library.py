"""The response-template library (/api/v1/response-templates/): list, add, read and archive the
templates responses are drafted from."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response as ApiResponse

from incidents.api.base import CrisisApiView, name_inputs_after_views
from incidents.models import ResponseKind, ResponseTemplate
from incidents.models.crisis import LANGUAGE_CHOICES
from incidents.services import responses as response_services
from tenants.pagination import page_of, paginated_response


# --- Output ---------------------------------------------------------------------------------
class ResponseTemplateOut(serializers.ModelSerializer):
    class Meta:
        model = ResponseTemplate
        fields = ["id", "name", "language", "situation", "kind", "body", "is_active", "updated_at"]


# --- Views ----------------------------------------------------------------------------------
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
        responses=page_of(ResponseTemplateOut),
        operation_id="v1_response_templates_list",
    )
    def get(self, request):
        filters = self.validated(self.Filters, request.query_params)
        templates = ResponseTemplate.objects.filter(is_active=True, **filters)
        return paginated_response(self, templates, ResponseTemplateOut, default_ordering="name")

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


name_inputs_after_views(globals())
