"""One crisis, one incident (/api/v1/incidents/<id>/alerts/, /merge/): attach an alert to an
incident, merge a duplicate incident into the one that survives."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response as ApiResponse

from incidents.api.base import CrisisApiView, name_inputs_after_views
from incidents.api.incidents import IncidentOut
from incidents.models import Incident
from incidents.services import one_crisis
from tenants.errors import DomainError


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
        reason = serializers.CharField(
            required=False, allow_blank=True, default="", max_length=one_crisis.MERGE_REASON_MAX
        )

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


name_inputs_after_views(globals())
