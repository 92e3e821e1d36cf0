"""Survey API on a brand host (/api/v1/): surveys from templates, bulk invitations (links returned
once), results, responses (JSON and CSV) and testimonial review. Every granted role reads; staff
roles and the brand's API key write."""

import json

from django.db import connection
from django.http import Http404, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from surveys.catalog import SURVEY_TEMPLATES
from surveys.export import responses_csv_rows
from surveys.models import Invitation, Survey, TestimonialCandidate
from surveys.results import survey_results
from surveys.selectors import response_list, survey_get, survey_list, testimonial_list
from surveys.serializers import (
    InvitationOut,
    InvitationWithLinkOut,
    ResultsOut,
    SurveyListOut,
    SurveyOut,
    SurveyResponseOut,
    TestimonialOut,
)
from surveys.services import (
    BATCH_LIMIT,
    INVITATION_TTL_DAYS,
    invitation_create_batch,
    survey_close,
    survey_create_from_template,
    survey_duplicate_as_draft,
    survey_open,
    testimonial_review,
)
from surveys.tokens import brand_base_url
from tenants.api_base import BrandApiView
from tenants.pagination import NewestFirstCursor, paginated_response

TAG = ["surveys"]


class NewestResponseFirstCursor(NewestFirstCursor):
    ordering = "-submitted_at"


def _survey_or_404(survey_id) -> Survey:
    survey = survey_get(survey_id=survey_id)
    if survey is None:
        raise Http404
    return survey


class SurveyFromTemplateIn(serializers.Serializer):
    template = serializers.ChoiceField(choices=sorted(SURVEY_TEMPLATES))
    open = serializers.BooleanField(default=False, help_text="Open the survey for answers right away.")


class SurveyListApi(BrandApiView):
    write_permission = "surveys.write"
    pagination_class = NewestFirstCursor
    Input = SurveyFromTemplateIn

    class Filters(serializers.Serializer):
        status = serializers.ChoiceField(choices=Survey.Status.choices, required=False)

    @extend_schema(tags=TAG, summary="List surveys", parameters=[Filters], responses=SurveyListOut(many=True))
    def get(self, request):
        filters = self.validated(self.Filters, request.query_params)
        return paginated_response(self, survey_list().filter(**filters), SurveyListOut)

    @extend_schema(
        tags=TAG, summary="Create a survey from a template", request=Input, responses={201: SurveyOut}
    )
    def post(self, request):
        data = self.validated(self.Input, request.data)
        survey = survey_create_from_template(
            template=data["template"], brand_name=request.tenant.name, open_now=data["open"]
        )
        return Response(SurveyOut(_survey_or_404(survey.pk)).data, status=status.HTTP_201_CREATED)


class SurveyDetailApi(BrandApiView):
    @extend_schema(tags=TAG, summary="A survey with its questions", responses=SurveyOut)
    def get(self, request, survey_id):
        return Response(SurveyOut(_survey_or_404(survey_id)).data)


class _SurveyActionApi(BrandApiView):
    write_permission = "surveys.write"
    service = None

    def post(self, request, survey_id):
        _survey_or_404(survey_id)
        survey = type(self).service(survey_id=survey_id)
        return Response(SurveyOut(_survey_or_404(survey.pk)).data)


@extend_schema(
    tags=TAG, summary="Open a draft survey for answers (no-op when open)", request=None, responses=SurveyOut
)
class SurveyOpenApi(_SurveyActionApi):
    service = staticmethod(survey_open)


@extend_schema(tags=TAG, summary="Close a survey (no-op when closed)", request=None, responses=SurveyOut)
class SurveyCloseApi(_SurveyActionApi):
    service = staticmethod(survey_close)


@extend_schema(tags=TAG, summary="Copy a survey as a new draft to edit", request=None, responses=SurveyOut)
class SurveyDuplicateApi(_SurveyActionApi):
    service = staticmethod(survey_duplicate_as_draft)


class InvitationRecipientIn(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    # The model's choices (not bare codes), so the schema shares one language enum with the rest.
    language = serializers.ChoiceField(
        choices=Invitation.Language.choices, required=False, allow_blank=True, default=""
    )
    incident_id = serializers.UUIDField(required=False, allow_null=True, default=None)
    mention_author = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not attrs.get("email") and not attrs.get("phone"):
            raise serializers.ValidationError("Give an email address or a phone number.")
        return attrs


class InvitationBatchIn(serializers.Serializer):
    invitations = InvitationRecipientIn(many=True, help_text=f"1 to {BATCH_LIMIT} recipients.")
    expires_in_days = serializers.IntegerField(min_value=1, max_value=365, default=INVITATION_TTL_DAYS)
    send_email = serializers.BooleanField(
        default=True, help_text="Email those with an address, after commit."
    )

    def validate_invitations(self, value):
        if not 1 <= len(value) <= BATCH_LIMIT:
            raise serializers.ValidationError(f"Send 1 to {BATCH_LIMIT} recipients.")
        return value


class InvitationListApi(BrandApiView):
    write_permission = "surveys.invite"
    pagination_class = NewestFirstCursor
    Input = InvitationBatchIn

    class Filters(serializers.Serializer):
        sent = serializers.BooleanField(required=False, allow_null=True, default=None, help_text="Email sent")
        answered = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(
        tags=TAG, summary="Invitations of a survey", parameters=[Filters], responses=InvitationOut(many=True)
    )
    def get(self, request, survey_id):
        survey = _survey_or_404(survey_id)
        filters = self.validated(self.Filters, request.query_params)
        invitations = survey.invitations.all()
        if filters["sent"] is not None:
            invitations = invitations.filter(sent_at__isnull=not filters["sent"])
        if filters["answered"] is not None:
            invitations = invitations.filter(response__isnull=not filters["answered"])
        return paginated_response(self, invitations, InvitationOut)

    @extend_schema(
        tags=TAG,
        summary="Invite recipients in bulk (all or none); the links are in this answer only",
        request=Input,
        responses={201: InvitationWithLinkOut(many=True)},
    )
    def post(self, request, survey_id):
        _survey_or_404(survey_id)
        data = self.validated(self.Input, request.data)
        created = invitation_create_batch(
            survey_id=survey_id,
            recipients=data["invitations"],
            expires_in_days=data["expires_in_days"],
            send_email=data["send_email"],
        )
        base = brand_base_url(request.tenant)
        out = []
        for invitation, raw in created:
            invitation.link = f"{base}/s/{raw}/"
            out.append(invitation)
        return Response(InvitationWithLinkOut(out, many=True).data, status=status.HTTP_201_CREATED)


class SurveyResultsApi(BrandApiView):
    @extend_schema(
        tags=TAG,
        summary="CSAT, NPS, CES, choice counts, response rate; by week and incident",
        responses=ResultsOut,
    )
    def get(self, request, survey_id):
        _survey_or_404(survey_id)
        return Response(survey_results(survey_id=survey_id, timezone_name=request.tenant.timezone))


class ResponseListApi(BrandApiView):
    pagination_class = NewestResponseFirstCursor

    class Filters(serializers.Serializer):
        submitted_after = serializers.DateTimeField(required=False)
        submitted_before = serializers.DateTimeField(required=False)
        language = serializers.CharField(required=False, max_length=2)

    @extend_schema(
        tags=TAG,
        summary="Responses with their answers, newest first",
        parameters=[Filters],
        responses=SurveyResponseOut(many=True),
    )
    def get(self, request, survey_id):
        survey = _survey_or_404(survey_id)
        filters = self.validated(self.Filters, request.query_params)
        kinds = {q.pk: q.kind for q in survey.questions.all()}
        responses = response_list(survey_id=survey_id)
        if filters.get("submitted_after"):
            responses = responses.filter(submitted_at__gte=filters["submitted_after"])
        if filters.get("submitted_before"):
            responses = responses.filter(submitted_at__lt=filters["submitted_before"])
        if filters.get("language"):
            responses = responses.filter(language=filters["language"])
        return paginated_response(self, responses, SurveyResponseOut, kinds=kinds)


class _CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode() if data is not None else b""  # only errors come through here


class ResponseCsvApi(BrandApiView):
    renderer_classes = [JSONRenderer, _CsvRenderer]

    @extend_schema(
        tags=TAG,
        summary="All responses as CSV (streamed)",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)},
    )
    def get(self, request, survey_id):
        _survey_or_404(survey_id)
        return responses_csv_response(survey_id=survey_id)


def responses_csv_response(*, survey_id) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        responses_csv_rows(survey_id=survey_id), content_type="text/csv; charset=utf-8"
    )
    filename = f"survey-{connection.tenant.slug}-{survey_id}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class TestimonialListApi(BrandApiView):
    pagination_class = NewestFirstCursor

    @extend_schema(
        tags=TAG,
        summary="Testimonial candidates (consenting respondents with a top score)",
        parameters=[OpenApiParameter("status", str, enum=TestimonialCandidate.Status.values)],
        responses=TestimonialOut(many=True),
    )
    def get(self, request):
        wanted = request.query_params.get("status") or None
        if wanted and wanted not in TestimonialCandidate.Status.values:
            wanted = "none"
        return paginated_response(self, testimonial_list(status=wanted), TestimonialOut)


class TestimonialReviewIn(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class TestimonialReviewApi(BrandApiView):
    write_permission = "testimonials.review"
    Input = TestimonialReviewIn

    @extend_schema(
        tags=TAG, summary="Approve or reject a testimonial candidate", request=Input, responses=TestimonialOut
    )
    def post(self, request, candidate_id):
        if not TestimonialCandidate.objects.filter(pk=candidate_id).exists():
            raise Http404
        data = self.validated(self.Input, request.data)
        candidate = testimonial_review(candidate_id=candidate_id, actor=self.actor, **data)
        return Response(TestimonialOut(candidate).data)
