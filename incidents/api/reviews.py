"""Post-crisis review API on a brand host (/api/v1/reviews/…): list and read reviews (clients:
completed reviews of real incidents, with what is marked for them), and the review's actions —
recompute figures, add affected customers, give feedback, add and move action items, add and
accept lessons, propose the accepted lessons in the crisis plan's draft (published through
incidents/api/plans.py), complete; the client approver signs off. Roles on the incident are checked by the
services; an object the caller may not see answers 404 like a missing one."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response as ApiResponse

from incidents import selectors_reviews as selectors
from incidents.api.base import name_inputs_after_views
from incidents.models import Review, ReviewActionItem, ReviewCustomer, ReviewFeedback, ReviewLesson
from incidents.models.crisis import LANGUAGE_CHOICES
from incidents.permissions import CLIENT_ROLES
from incidents.services import reviews as services
from tenants.api_base import INTEGRATION, BrandApiView
from tenants.pagination import page_of, paginated_response


# --- Output ---------------------------------------------------------------------------------
class ActionItemOut(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = ReviewActionItem
        fields = [
            "id",
            "title",
            "owner",
            "owner_name",
            "due_at",
            "priority",
            "status",
            "reason",
            "visible_to_client",
        ]


class LessonOut(serializers.ModelSerializer):
    class Meta:
        model = ReviewLesson
        fields = ["id", "text", "accepted", "visible_to_client", "created_at"]


class FeedbackOut(serializers.ModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = ReviewFeedback
        fields = ["id", "member", "member_name", "rating", "text", "answered_at"]


class CustomerOut(serializers.ModelSerializer):
    class Meta:
        model = ReviewCustomer
        fields = [
            "id", "external_id", "name", "email", "phone", "language", "mention_author", "source", "invited_at",
        ]  # fmt: skip


class ReviewPlanVersionOut(serializers.Serializer):
    """A crisis-plan version this review's lessons went into: the open draft, or the published
    version (`version` is empty for a draft)."""

    id = serializers.UUIDField()
    version = serializers.IntegerField(allow_null=True)
    state = serializers.CharField()


class ReviewOut(serializers.ModelSerializer):
    incident_number = serializers.IntegerField(source="incident.number", read_only=True)
    incident_display_number = serializers.CharField(source="incident.display_number", read_only=True)
    incident_title = serializers.CharField(source="incident.title", read_only=True)
    figures_state = serializers.CharField(source="outbox_state", read_only=True)
    follow_ups = ActionItemOut(source="action_items", many=True, read_only=True)
    lessons = LessonOut(many=True, read_only=True)
    feedback = FeedbackOut(many=True, read_only=True)
    customers = CustomerOut(many=True, read_only=True)
    plan_version_number = serializers.IntegerField(
        source="plan_version.version", read_only=True, default=None
    )
    plan_versions = ReviewPlanVersionOut(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id", "incident", "incident_number", "incident_display_number", "incident_title", "is_drill", "state", "owner", "due_at",
            "steps", "summary", "figures", "figures_method", "figures_state", "figures_computed_at", "survey_due_at",
            "survey_sent_at", "survey_invitations", "plan_version", "plan_version_number", "plan_versions", "opened_at",
            "completed_at", "signed_off_at", "feedback_digest_sent_at", "follow_ups", "lessons", "feedback",
            "customers",
        ]  # fmt: skip


class ReviewClientOut(serializers.ModelSerializer):
    """What the client sees of a completed review: figures, summary, lessons and follow-ups
    marked for them; no team feedback, no customer contacts."""

    incident_number = serializers.IntegerField(source="incident.number", read_only=True)
    incident_display_number = serializers.CharField(source="incident.display_number", read_only=True)
    incident_title = serializers.CharField(source="incident.title", read_only=True)
    follow_ups = ActionItemOut(source="action_items", many=True, read_only=True)
    lessons = LessonOut(many=True, read_only=True)

    class Meta:
        model = Review
        fields = [
            "id", "incident", "incident_number", "incident_display_number", "incident_title", "state", "summary", "figures",
            "figures_method", "completed_at", "signed_off_at", "follow_ups", "lessons",
        ]  # fmt: skip


# --- Bases ------------------------------------------------------------------------------------
class ReviewApiView(BrandApiView):
    write_permission = "crisis.write"

    @property
    def for_client(self) -> bool:
        return self.brand_role in CLIENT_ROLES

    def review(self, review_id) -> Review:
        return selectors.review_get(review_id=review_id, for_client=self.for_client)

    def out(self, review: Review):
        review = self.review(review.pk)  # re-read with what the caller may see
        return (ReviewClientOut if self.for_client else ReviewOut)(review).data


class ReviewListApi(ReviewApiView):
    ordering_fields = ("opened_at", "due_at")

    class Filters(serializers.Serializer):
        state = serializers.ChoiceField(choices=Review.State.choices, required=False)
        incident = serializers.UUIDField(required=False)

    @extend_schema(
        parameters=[OpenApiParameter("state", str), OpenApiParameter("incident", str)],
        operation_id="v1_reviews_list",
        responses=page_of(ReviewOut),
    )
    def get(self, request):
        filters = self.validated(self.Filters, request.query_params)
        reviews = selectors.review_list(
            for_client=self.for_client, state=filters.get("state"), incident_id=filters.get("incident")
        )
        serializer = ReviewClientOut if self.for_client else ReviewOut
        return paginated_response(self, reviews, serializer, default_ordering="-opened_at")


class ReviewDetailApi(ReviewApiView):
    class Input(serializers.Serializer):
        owner = serializers.IntegerField(required=False)
        summary = serializers.CharField(required=False, allow_blank=True, max_length=20000)

    @extend_schema(responses=ReviewOut)
    def get(self, request, review_id):
        review = self.review(review_id)
        return ApiResponse((ReviewClientOut if self.for_client else ReviewOut)(review).data)

    @extend_schema(request=Input, responses=ReviewOut)
    def patch(self, request, review_id):
        self.review(review_id)
        data = self.validated(self.Input, request.data)
        review = services.review_update(
            review_id=review_id, actor=self.actor, owner_id=data.get("owner"), summary=data.get("summary")
        )
        return ApiResponse(self.out(review))


class ReviewRecomputeApi(ReviewApiView):
    @extend_schema(request=None, responses={202: ReviewOut})
    def post(self, request, review_id):
        self.review(review_id)
        review = services.review_recompute(review_id=review_id, actor=self.actor)
        return ApiResponse(self.out(review), status=status.HTTP_202_ACCEPTED)


class ReviewStepApi(ReviewApiView):
    class Input(serializers.Serializer):
        step = serializers.CharField(max_length=32)
        state = serializers.ChoiceField(choices=["pending", "done", "skipped"])
        reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    @extend_schema(request=Input, responses=ReviewOut)
    def post(self, request, review_id):
        self.review(review_id)
        data = self.validated(self.Input, request.data)
        review = services.review_step_set(review_id=review_id, actor=self.actor, **data)
        return ApiResponse(self.out(review))


class CustomerIn(serializers.Serializer):
    external_id = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        default="",
        help_text="The integration's own id for the customer: posting it again updates that customer.",
    )
    name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    email = serializers.CharField(required=False, allow_blank=True, max_length=254, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32, default="")
    language = serializers.ChoiceField(choices=LANGUAGE_CHOICES, allow_blank=True, required=False, default="")
    mention_author = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ReviewCustomersApi(ReviewApiView):
    """Affected customers with a contact; an integration adds the customers it knows by its own id
    (`external_id`), so posting the same customer again updates it instead of adding another."""

    write_permission = "workspace.write"

    class Input(CustomerIn):
        pass

    def source(self) -> str:
        if self.brand_role == INTEGRATION:
            return ReviewCustomer.Source.INTEGRATION
        return ReviewCustomer.Source.STAFF

    @extend_schema(
        request=Input,
        responses={
            201: CustomerOut,
            200: OpenApiResponse(CustomerOut, description="Already there (same external_id, email or phone)"),
        },
    )
    def post(self, request, review_id):
        self.review(review_id)
        data = self.validated(self.Input, request.data)
        customer, outcome = services.review_customer_put(
            review_id=review_id, actor=self.actor, source=self.source(), **data
        )
        code = status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK
        return ApiResponse(CustomerOut(customer).data, status=code)


class CustomersImportOut(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField(help_text="Found by external_id and changed, or given one.")
    existing = serializers.IntegerField(help_text="Already on the review, left as it is.")
    duplicates = serializers.IntegerField(help_text="Rows repeating an earlier row of the batch.")
    customers = CustomerOut(many=True)


class ReviewCustomersImportApi(ReviewCustomersApi):
    """Many affected customers at once, all or none."""

    class Input(serializers.Serializer):
        customers = CustomerIn(many=True, help_text=f"1 to {services.CUSTOMERS_IMPORT_LIMIT} customers.")

        def validate_customers(self, value):
            if not 1 <= len(value) <= services.CUSTOMERS_IMPORT_LIMIT:
                raise serializers.ValidationError(f"Send 1 to {services.CUSTOMERS_IMPORT_LIMIT} customers.")
            return value

    @extend_schema(
        summary="Add or update affected customers in bulk (all or none)",
        request=Input,
        responses={200: CustomersImportOut},
    )
    def post(self, request, review_id):
        self.review(review_id)
        data = self.validated(self.Input, request.data)
        result = services.review_customers_import(
            review_id=review_id, actor=self.actor, customers=data["customers"], source=self.source()
        )
        return ApiResponse(CustomersImportOut(result).data)


class ReviewFeedbackApi(ReviewApiView):
    class Input(serializers.Serializer):
        rating = serializers.IntegerField(min_value=1, max_value=5)
        text = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")

    @extend_schema(request=Input, responses=FeedbackOut)
    def post(self, request, review_id):
        self.review(review_id)
        data = self.validated(self.Input, request.data)
        feedback = services.review_feedback_submit(review_id=review_id, actor=self.actor, **data)
        return ApiResponse(FeedbackOut(feedback).data)


class ReviewActionItemsApi(ReviewApiView):
    class Input(serializers.Serializer):
        title = serializers.CharField(max_length=200)
        owner_id = serializers.UUIDField()
        due_at = serializers.DateTimeField()
        visible_to_client = serializers.BooleanField(required=False, default=False)
        priority = serializers.ChoiceField(
            choices=ReviewActionItem.Priority.choices,
            required=False,
            default=ReviewActionItem.Priority.MEDIUM,
        )

    @extend_schema(request=Input, responses={201: ActionItemOut})
    def post(self, request, review_id):
        self.review(review_id)
        data = self.validated(self.Input, request.data)
        item = services.review_action_item_add(review_id=review_id, actor=self.actor, **data)
        return ApiResponse(ActionItemOut(item).data, status=status.HTTP_201_CREATED)


class ReviewActionItemDetailApi(ReviewApiView):
    class Input(serializers.Serializer):
        status = serializers.ChoiceField(choices=ReviewActionItem.Status.choices, required=False)
        reason = serializers.CharField(required=False, allow_blank=True, max_length=4000)
        due_at = serializers.DateTimeField(required=False)
        visible_to_client = serializers.BooleanField(required=False)
        priority = serializers.ChoiceField(choices=ReviewActionItem.Priority.choices, required=False)

    @extend_schema(request=Input, responses=ActionItemOut)
    def patch(self, request, item_id):
        if not ReviewActionItem.objects.filter(pk=item_id).exists():
            raise Http404("No such action item.")
        data = self.validated(self.Input, request.data)
        item = services.review_action_item_update(item_id=item_id, actor=self.actor, **data)
        return ApiResponse(ActionItemOut(item).data)


class ReviewLessonsApi(ReviewApiView):
    class Input(serializers.Serializer):
        text = serializers.CharField(max_length=4000)
        accepted = serializers.BooleanField(required=False, default=False)
        visible_to_client = serializers.BooleanField(required=False, default=True)

    @extend_schema(request=Input, responses={201: LessonOut})
    def post(self, request, review_id):
        self.review(review_id)
        data = self.validated(self.Input, request.data)
        lesson = services.review_lesson_add(review_id=review_id, actor=self.actor, **data)
        return ApiResponse(LessonOut(lesson).data, status=status.HTTP_201_CREATED)


class ReviewLessonAcceptApi(ReviewApiView):
    class Input(serializers.Serializer):
        accepted = serializers.BooleanField(required=False, default=True)

    @extend_schema(request=Input, responses=LessonOut)
    def post(self, request, lesson_id):
        if not ReviewLesson.objects.filter(pk=lesson_id).exists():
            raise Http404("No such lesson.")
        data = self.validated(self.Input, request.data)
        lesson = services.review_lesson_accept(lesson_id=lesson_id, actor=self.actor, **data)
        return ApiResponse(LessonOut(lesson).data)


class ReviewPlanApi(ReviewApiView):
    @extend_schema(request=None, responses={201: ReviewOut})
    def post(self, request, review_id):
        self.review(review_id)
        services.review_plan_update(review_id=review_id, actor=self.actor)
        return ApiResponse(self.out(self.review(review_id)), status=status.HTTP_201_CREATED)


class ReviewCompleteApi(ReviewApiView):
    class Input(serializers.Serializer):
        summary = serializers.CharField(max_length=20000)

    @extend_schema(request=Input, responses=ReviewOut)
    def post(self, request, review_id):
        self.review(review_id)
        data = self.validated(self.Input, request.data)
        review = services.review_complete(review_id=review_id, actor=self.actor, **data)
        return ApiResponse(self.out(review))


class ReviewSignOffApi(ReviewApiView):
    """The client approver signs off a review the team completed, or sends it back with a comment."""

    write_permission = "reports.decide"

    class Input(serializers.Serializer):
        decision = serializers.ChoiceField(choices=["approve", "reject"])
        comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")

    @extend_schema(request=Input, responses=ReviewClientOut)
    def post(self, request, review_id):
        self.review(review_id)
        data = self.validated(self.Input, request.data)
        review = services.review_sign_off(
            review_id=review_id,
            actor=self.actor,
            approve=data["decision"] == "approve",
            comment=data["comment"],
        )
        return ApiResponse(self.out(review))


name_inputs_after_views(globals(), nested=("Input", "Filters"))
