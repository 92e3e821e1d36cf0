"""Care-case API on a brand host (/api/v1/cases/): list and open cases, invite the customer to
a private channel, log contacts, close with a public closing reply, erase personal data.

Staff roles reach it as `incidents.permissions.CARE_MATRIX` allows; client people never do (their
report shows counts and times). Contact details, private summaries and the outcome appear only for
roles with `care_contact_details`; an API key (an integration) reads and opens cases without them."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response as ApiResponse

from incidents import selectors_care as selectors
from incidents.api.base import str_list
from incidents.models import CareCase, CareContact
from incidents.models.crisis import LANGUAGE_CHOICES
from incidents.permissions import care_can
from incidents.services import care as care_services
from tenants.api_base import INTEGRATION, BrandApiView
from tenants.pagination import page_of, paginated_response

DETAIL_FIELDS = ("customer_name", "customer_email", "customer_phone", "outcome")


# --- Output ---------------------------------------------------------------------------------
class CareCaseOut(serializers.ModelSerializer):
    """A case without personal data: what every role that sees cases gets."""

    owner_name = serializers.CharField(source="owner.name", read_only=True, default=None)
    mention_ids = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField(read_only=True)
    has_contact_details = serializers.SerializerMethodField()

    class Meta:
        model = CareCase
        fields = [
            "id", "number", "platform", "author_handle", "state", "incident", "owner", "owner_name",
            "opened_at", "due_at", "is_overdue", "invited_at", "private_contact_at", "closed_at",
            "invitation", "closing_reply", "mention_ids", "has_contact_details", "erased_at", "updated_at",
        ]  # fmt: skip

    def get_mention_ids(self, case) -> list[str]:
        return [str(link.mention_id) for link in case.mention_links.all()]

    def get_has_contact_details(self, case) -> bool:
        return bool(case.customer_email or case.customer_phone)


class CareCaseDetailsOut(CareCaseOut):
    """The same case with the customer's details, for roles that need them."""

    class Meta(CareCaseOut.Meta):
        fields = [*CareCaseOut.Meta.fields, *DETAIL_FIELDS]


class CareContactOut(serializers.ModelSerializer):
    class Meta:
        model = CareContact
        fields = ["id", "channel", "direction", "at", "actor_label", "mention"]


class CareContactDetailsOut(CareContactOut):
    class Meta(CareContactOut.Meta):
        fields = [*CareContactOut.Meta.fields, "summary"]


class CareFiguresOut(serializers.Serializer):
    total = serializers.IntegerField()
    open = serializers.IntegerField()
    resolved = serializers.IntegerField()
    closed = serializers.IntegerField()
    share_resolved = serializers.FloatField(allow_null=True)
    avg_seconds_to_private_contact = serializers.IntegerField(allow_null=True)
    avg_seconds_to_resolution = serializers.IntegerField(allow_null=True)


class CareErasedOut(serializers.Serializer):
    erased_cases = serializers.IntegerField()


# --- Base -----------------------------------------------------------------------------------
class CareApiView(BrandApiView):
    read_permission = "workspace.read"
    write_permission = "crisis.write"

    def check_access(self, request) -> None:
        super().check_access(request)
        if self.brand_role != INTEGRATION and not care_can(request.user, "care_view"):
            raise PermissionDenied("Your role on this brand may not see care cases.")

    @property
    def sees_details(self) -> bool:
        return self.brand_role != INTEGRATION and care_can(self.request.user, "care_contact_details")

    def case_out(self, case: CareCase) -> dict:
        return (CareCaseDetailsOut if self.sees_details else CareCaseOut)(case).data


class _DetailsInput(serializers.Serializer):
    customer_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    customer_email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    customer_phone = serializers.CharField(max_length=40, required=False, allow_blank=True)


# --- Views ----------------------------------------------------------------------------------
class CareCaseListCreateApi(CareApiView):
    write_permission = "workspace.write"

    class CareCaseOpenInput(_DetailsInput):
        mention_ids = serializers.ListField(
            child=serializers.UUIDField(), min_length=1, max_length=care_services.MAX_MENTIONS
        )
        incident_id = serializers.UUIDField(required=False, allow_null=True)
        owner_id = serializers.UUIDField(required=False, allow_null=True)

    ordering_fields = ("opened_at", "due_at")

    class CareCaseFilters(serializers.Serializer):
        owner = serializers.UUIDField(required=False, allow_null=True, default=None)
        incident = serializers.UUIDField(required=False, allow_null=True, default=None)
        overdue = serializers.BooleanField(required=False, allow_null=True, default=None)

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, description="Comma-separated states"),
            OpenApiParameter("owner", str, description="Roster member id"),
            OpenApiParameter("incident", str, description="Incident id"),
            OpenApiParameter("overdue", bool),
        ],
        operation_id="v1_cases_list",
        responses=page_of(CareCaseOut),
    )
    def get(self, request):
        filters = self.validated(self.CareCaseFilters, request.query_params)
        states = str_list(request.query_params.get("state", ""))
        unknown = [s for s in states if s not in CareCase.State.values]
        if unknown:
            raise serializers.ValidationError({"state": [f"Unknown state(s): {', '.join(unknown)}."]})
        cases = selectors.care_case_list(
            states=states,
            owner_id=filters["owner"],
            overdue=filters["overdue"],
            incident_id=filters["incident"],
        )
        out = CareCaseDetailsOut if self.sees_details else CareCaseOut
        return paginated_response(self, cases, out, default_ordering="-opened_at")

    @extend_schema(request=CareCaseOpenInput, responses={201: CareCaseOut})
    def post(self, request):
        data = self.validated(self.CareCaseOpenInput, request.data)
        if any(data.get(f) for f in DETAIL_FIELDS) and not self.sees_details:
            raise PermissionDenied("Your role may not record a customer's contact details.")
        case = care_services.care_case_open(actor=self.actor, **data)
        return ApiResponse(
            self.case_out(selectors.care_case_get(case_id=case.pk)), status=status.HTTP_201_CREATED
        )


class CareCaseDetailApi(CareApiView):
    class CareCaseUpdateInput(_DetailsInput):
        owner_id = serializers.UUIDField(required=False)

    @extend_schema(responses=CareCaseOut)
    def get(self, request, case_id):
        return ApiResponse(self.case_out(selectors.care_case_get(case_id=case_id)))

    @extend_schema(request=CareCaseUpdateInput, responses=CareCaseOut)
    def patch(self, request, case_id):
        selectors.care_case_get(case_id=case_id)
        data = self.validated(self.CareCaseUpdateInput, request.data)
        care_services.care_case_update(actor=self.actor, case_id=case_id, **data)
        return ApiResponse(self.case_out(selectors.care_case_get(case_id=case_id)))


class CareCaseInviteApi(CareApiView):
    class CareCaseInviteInput(serializers.Serializer):
        text = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
        template_id = serializers.UUIDField(required=False, allow_null=True, default=None)
        language = serializers.ChoiceField(
            choices=LANGUAGE_CHOICES, required=False, allow_null=True, default=None
        )

    @extend_schema(request=CareCaseInviteInput, responses=CareCaseOut)
    def post(self, request, case_id):
        selectors.care_case_get(case_id=case_id)
        data = self.validated(self.CareCaseInviteInput, request.data)
        care_services.care_case_invite(actor=self.actor, case_id=case_id, **data)
        return ApiResponse(self.case_out(selectors.care_case_get(case_id=case_id)))


class CareContactListCreateApi(CareApiView):
    ordering_fields = ("at",)

    class Filters(serializers.Serializer):
        channel = serializers.ChoiceField(choices=CareContact.Channel.choices, required=False)
        direction = serializers.ChoiceField(choices=CareContact.Direction.choices, required=False)

    class CareContactInput(serializers.Serializer):
        channel = serializers.ChoiceField(choices=CareContact.Channel.choices)
        direction = serializers.ChoiceField(choices=CareContact.Direction.choices)
        summary = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")
        at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    @extend_schema(
        summary="List a care case's contacts",
        parameters=[Filters],
        responses=page_of(CareContactOut),
        operation_id="v1_care_cases_contacts_list",
    )
    def get(self, request, case_id):
        case = selectors.care_case_get(case_id=case_id)
        filters = self.validated(self.Filters, request.query_params)
        out = CareContactDetailsOut if self.sees_details else CareContactOut
        return paginated_response(self, case.contacts.filter(**filters), out, default_ordering="at")

    @extend_schema(request=CareContactInput, responses={201: CareContactOut})
    def post(self, request, case_id):
        selectors.care_case_get(case_id=case_id)
        data = self.validated(self.CareContactInput, request.data)
        contact = care_services.care_contact_log(actor=self.actor, case_id=case_id, **data)
        out = CareContactDetailsOut if self.sees_details else CareContactOut
        return ApiResponse(out(contact).data, status=status.HTTP_201_CREATED)


class CareCaseCloseApi(CareApiView):
    class CareCaseCloseInput(serializers.Serializer):
        state = serializers.ChoiceField(choices=[(s, s) for s in CareCase.CLOSED_STATES])
        outcome = serializers.CharField(max_length=8000, required=False, allow_blank=True, default="")
        closing_text = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
        closing_template_id = serializers.UUIDField(required=False, allow_null=True, default=None)
        language = serializers.ChoiceField(
            choices=LANGUAGE_CHOICES, required=False, allow_null=True, default=None
        )
        survey_id = serializers.UUIDField(required=False, allow_null=True, default=None)

    @extend_schema(request=CareCaseCloseInput, responses=CareCaseOut)
    def post(self, request, case_id):
        selectors.care_case_get(case_id=case_id)
        data = self.validated(self.CareCaseCloseInput, request.data)
        care_services.care_case_close(actor=self.actor, case_id=case_id, **data)
        return ApiResponse(self.case_out(selectors.care_case_get(case_id=case_id)))


class CareCaseEraseApi(CareApiView):
    @extend_schema(request=None, responses=CareCaseOut)
    def post(self, request, case_id):
        selectors.care_case_get(case_id=case_id)
        care_services.care_case_erase(actor=self.actor, case_id=case_id)
        return ApiResponse(self.case_out(selectors.care_case_get(case_id=case_id)))


class CareCustomerEraseApi(CareApiView):
    class CareCustomerEraseInput(serializers.Serializer):
        platform = serializers.CharField(max_length=32)
        author_handle = serializers.CharField(max_length=200)

    @extend_schema(request=CareCustomerEraseInput, responses=CareErasedOut)
    def post(self, request):
        data = self.validated(self.CareCustomerEraseInput, request.data)
        erased = care_services.care_customer_erase(actor=self.actor, **data)
        return ApiResponse({"erased_cases": erased})


class CareFiguresApi(CareApiView):
    @extend_schema(
        parameters=[OpenApiParameter("incident", str, description="Incident id")], responses=CareFiguresOut
    )
    def get(self, request):
        filters = self.validated(CareCaseListCreateApi.CareCaseFilters, request.query_params)
        return ApiResponse(CareFiguresOut(selectors.care_figures(incident_id=filters["incident"])).data)
