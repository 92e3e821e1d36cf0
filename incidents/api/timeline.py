"""An incident's timeline (/api/v1/incidents/<id>/timeline/): read it (client people: the pinned
entries only), add notes, pin entries."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response as ApiResponse

from incidents import selectors_crisis as selectors
from incidents.api.base import CrisisApiView, name_inputs_after_views
from incidents.models import TimelineEntry
from incidents.services import timeline as timeline_services
from tenants.pagination import page_of, paginated_response


# --- Output ---------------------------------------------------------------------------------
class TimelineEntryOut(serializers.ModelSerializer):
    class Meta:
        model = TimelineEntry
        fields = ["id", "at", "actor_label", "kind", "text", "data", "pinned"]


class TimelineEntryClientOut(serializers.ModelSerializer):
    class Meta:
        model = TimelineEntry
        fields = ["id", "at", "actor_label", "kind", "text"]


# --- Views ----------------------------------------------------------------------------------
class TimelineApi(CrisisApiView):
    ordering_fields = ("at",)

    class Filters(serializers.Serializer):
        kind = serializers.CharField(required=False, max_length=32)
        pinned = serializers.BooleanField(required=False, allow_null=True, default=None)

    class Input(serializers.Serializer):
        text = serializers.CharField(max_length=timeline_services.NOTE_MAX)
        pinned = serializers.BooleanField(default=False)

    @extend_schema(
        summary="List an incident's timeline",
        parameters=[Filters],
        responses=page_of(TimelineEntryOut),
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
        return paginated_response(
            self, entries, TimelineEntryOut if internal else TimelineEntryClientOut, default_ordering="at"
        )

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


name_inputs_after_views(globals())
