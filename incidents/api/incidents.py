"""Incidents API on a brand host (/api/v1/incidents/): list, open (also from an alert), read,
edit, move through the lifecycle, link mentions and search the ones to link. Client people read
incidents through the client view (no drills, no internal notes)."""

from django.http import Http404
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response as ApiResponse

from incidents import selectors_crisis as selectors
from incidents.api.base import CrisisApiView, int_list, name_inputs_after_views, str_list
from incidents.models import Incident, Mention, Severity, SourceCategory
from incidents.services import incidents as incident_services
from tenants.pagination import page_of, paginated_response

MAX_AGE_HOURS = 24 * 366 * 100  # a century: more than any incident's age, well inside timedelta


# --- Output ---------------------------------------------------------------------------------
class IncidentOut(serializers.ModelSerializer):
    severity_label = serializers.CharField(source="get_severity_display", read_only=True)
    display_number = serializers.CharField(
        read_only=True, help_text='"#12" for an incident, "D-3" for a drill (drills number apart).'
    )

    class Meta:
        model = Incident
        fields = [
            "id", "number", "display_number", "title", "summary", "severity", "severity_label", "status",
            "source_category", "root_cause_notes", "resolution_summary", "review_summary", "affected_platforms", "is_drill",
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
    display_number = serializers.CharField(read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id", "number", "display_number", "title", "summary", "severity", "severity_label", "status",
            "source_category", "resolution_summary", "affected_platforms", "opened_at", "first_response_at", "resolved_at",
            "last_status_update_at",
        ]  # fmt: skip


# --- Views ----------------------------------------------------------------------------------
class IncidentListCreateApi(CrisisApiView):
    ordering_fields = ("opened_at", "number")

    class Input(serializers.Serializer):
        title = serializers.CharField(max_length=incident_services.TITLE_MAX)
        summary = serializers.CharField(
            max_length=incident_services.DETAILS_MAX, required=False, allow_blank=True, default=""
        )
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
            OpenApiParameter(
                "severity",
                str,
                description="Comma-separated severities: 1 = SEV1 critical … 4 = SEV4 low (lower is worse)",
            ),
            OpenApiParameter("source", str, description="Comma-separated source categories"),
            OpenApiParameter("opened_within_hours", int),
            OpenApiParameter("older_than_hours", int),
        ],
        responses=page_of(IncidentOut),
        operation_id="v1_incidents_list",
    )
    def get(self, request):
        params = request.query_params
        ages = self.validated(self.AgeFilters, params)
        incidents = selectors.incident_list(
            for_client=self.for_client,
            status=str_list(params.get("status", "")),
            severity=int_list(params.get("severity", "")),
            source=str_list(params.get("source", "")),
            **ages,
        )
        return paginated_response(
            self,
            incidents,
            IncidentClientOut if self.for_client else IncidentOut,
            default_ordering="-opened_at",
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
        title = serializers.CharField(max_length=incident_services.TITLE_MAX, required=False)
        summary = serializers.CharField(
            max_length=incident_services.DETAILS_MAX, required=False, allow_blank=True
        )
        severity = serializers.ChoiceField(choices=Severity.choices, required=False)
        source_category = serializers.ChoiceField(
            choices=SourceCategory.choices, required=False, allow_blank=True
        )
        root_cause_notes = serializers.CharField(
            max_length=incident_services.DETAILS_MAX, required=False, allow_blank=True
        )
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
        reason = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=incident_services.TRANSITION_TEXT_MAX
        )
        summary = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=incident_services.TRANSITION_TEXT_MAX
        )

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
        responses=page_of(MentionCandidateOut),
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
        return paginated_response(self, mentions, MentionCandidateOut, default_ordering="-posted_at")


name_inputs_after_views(globals())
