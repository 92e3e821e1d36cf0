"""Brand admin for post-crisis reviews: the review with its figures (and how each was computed),
feedback, customers, follow-ups and lessons; actions recompute the figures, propose the accepted
lessons in the crisis plan's draft and complete the review. Staff only (clients read completed reviews
on the report pages); every change goes through incidents/services/reviews.py, which checks the
person's role on the incident."""

import json

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from incidents import selectors_reviews as review_selectors
from incidents.admin.base import StaffOnlyAdmin
from incidents.models import (
    REVIEW_STEPS,
    Review,
    ReviewActionItem,
    ReviewCustomer,
    ReviewFeedback,
    ReviewLesson,
)
from incidents.services import reviews as review_services
from tenants.admin_services import ServiceForm, ServiceFormAdminMixin, admin_service_call
from tenants.admin_sites import brand_action, brand_admin_site


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return True  # the review's own admin already decided who sees the page


class FeedbackInline(_ReadOnlyInline):
    model = ReviewFeedback
    fields = readonly_fields = ["member", "rating", "text", "answered_at"]


class CustomerInline(_ReadOnlyInline):
    model = ReviewCustomer
    fields = readonly_fields = ["name", "email", "phone", "mention_author", "source", "invited_at"]


class ActionItemInline(_ReadOnlyInline):
    model = ReviewActionItem
    fields = readonly_fields = [
        "title",
        "priority",
        "owner",
        "due_at",
        "status",
        "reason",
        "visible_to_client",
    ]


class LessonInline(_ReadOnlyInline):
    model = ReviewLesson
    fields = readonly_fields = ["text", "accepted", "visible_to_client"]


class ReviewForm(ServiceForm):
    class Meta:
        model = Review
        fields = ["summary"]


@admin.register(Review, site=brand_admin_site)
class ReviewAdmin(ServiceFormAdminMixin, StaffOnlyAdmin):
    form = ReviewForm
    list_display = [
        "incident",
        "is_drill",
        "state",
        "due_at",
        "survey_sent_at",
        "outbox_state",
        "completed_at",
        "signed_off_at",
    ]
    list_filter = ["state", "is_drill"]
    list_select_related = ["incident"]
    readonly_fields = [
        "incident", "is_drill", "state", "owner", "due_at", "steps_list", "figures_table", "figures_computed_at",
        "outbox_state", "survey_due_at", "survey_sent_at", "survey_invitations", "plan", "completed_at",
        "signed_off_at",
    ]  # fmt: skip
    fields = [*readonly_fields[:3], "summary", *readonly_fields[3:]]
    inlines = [FeedbackInline, CustomerInline, ActionItemInline, LessonInline]
    actions = ["recompute", "propose_plan", "complete"]

    def has_add_permission(self, request) -> bool:
        return False  # a review opens when its incident is resolved

    @admin.display(description=_("steps"))
    def steps_list(self, obj: Review) -> str:
        return format_html_join(
            "",
            "<div>{}: <b>{}</b> {}</div>",
            (
                (label, obj.steps[key]["state"], obj.steps[key].get("reason", ""))
                for key, label in REVIEW_STEPS.items()
                if key in obj.steps  # in the policy's order (JSON objects keep none)
            ),
        )

    @admin.display(description=_("crisis plan"))
    def plan(self, obj: Review) -> str:
        return review_selectors.review_plan_label(obj)

    @admin.display(description=_("figures"))
    def figures_table(self, obj: Review) -> str:
        rows = []
        for key, value in obj.figures.items():
            how = obj.figures_method.get(key) or obj.figures_method.get(key.rsplit("_", 1)[0], "")
            shown = json.dumps(value) if isinstance(value, dict) else ("—" if value is None else value)
            rows.append((key, shown, how))
        return format_html(
            "<table>{}</table>", format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", rows)
        )

    def save_through(self, request, obj, data):
        return review_services.review_update(review_id=obj.pk, actor=request.user, summary=data["summary"])

    def _each(self, request, queryset, call, done) -> None:
        count = sum(
            1 for review in queryset if admin_service_call(self, request, lambda review=review: call(review))
        )
        if count:
            self.message_user(request, f"{done}: {count}.")

    @brand_action(permission="crisis.write", description=_("Recompute the figures"))
    def recompute(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda r: review_services.review_recompute(review_id=r.pk, actor=request.user),
            _("Figures requested"),
        )

    @brand_action(
        permission="crisis.write", description=_("Propose the accepted lessons in the crisis plan's draft")
    )
    def propose_plan(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda r: review_services.review_plan_update(review_id=r.pk, actor=request.user),
            _("Lessons proposed in the crisis plan's draft"),
        )

    @brand_action(permission="crisis.write", description=_("Complete the review (uses its summary)"))
    def complete(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda r: review_services.review_complete(review_id=r.pk, actor=request.user, summary=r.summary),
            _("Completed"),
        )


@admin.register(ReviewLesson, site=brand_admin_site)
class ReviewLessonAdmin(StaffOnlyAdmin):
    list_display = ["text", "review", "accepted", "visible_to_client"]
    list_filter = ["accepted"]
    list_select_related = ["review__incident"]
    actions = ["accept"]
    fields = readonly_fields = ["review", "text", "accepted", "visible_to_client"]

    def has_add_permission(self, request) -> bool:
        return False  # added on the review through the API

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @brand_action(permission="crisis.write", description=_("Accept for the crisis plan"))
    def accept(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            admin_service_call(
                self,
                request,
                lambda pk=pk: review_services.review_lesson_accept(lesson_id=pk, actor=request.user),
            )


@admin.register(ReviewActionItem, site=brand_admin_site)
class ReviewActionItemAdmin(StaffOnlyAdmin):
    list_display = ["title", "priority", "review", "owner", "due_at", "status", "visible_to_client"]
    list_filter = ["status", "priority", "visible_to_client"]
    list_select_related = ["review__incident", "owner"]
    actions = ["mark_completed"]
    fields = readonly_fields = [
        "review",
        "title",
        "priority",
        "owner",
        "due_at",
        "status",
        "reason",
        "visible_to_client",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @brand_action(permission="crisis.write", description=_("Mark completed"))
    def mark_completed(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            self._service(
                request,
                lambda pk=pk: review_services.review_action_item_update(
                    item_id=pk, actor=request.user, status=ReviewActionItem.Status.COMPLETED
                ),
            )
