"""Brand admin for post-crisis reviews: the review with its figures (and how each was computed),
feedback, customers, follow-ups and lessons; actions recompute the figures, propose the accepted
lessons in the crisis plan's draft and complete the review. Staff only (clients read completed reviews
on the report pages); every change goes through incidents/services/reviews.py, which checks the
person's role on the incident."""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
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
from tenants.csv_import import MAX_CSV_BYTES, csv_rows_read
from tenants.errors import DomainError


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
    fields = readonly_fields = [
        "name",
        "email",
        "phone",
        "mention_author",
        "external_id",
        "source",
        "invited_at",
    ]


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


class CustomersImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per request, so it reads in the person's language.
        self.fields["file"].help_text = gettext(
            "A header row naming the columns: name, email, phone, language (en/id), mention_author "
            "(external_id optional). Comma or semicolon separated, UTF-8. Each row needs an email or a "
            "phone. At most %(rows)d rows and %(size)d KB."
        ) % {"rows": review_services.CUSTOMERS_IMPORT_LIMIT, "size": MAX_CSV_BYTES // 1024}

    def clean_file(self) -> list[tuple[int, dict]]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d KB.") % {"size": MAX_CSV_BYTES // 1024}
            )
        try:
            return csv_rows_read(
                upload.read(),
                columns=review_services.CUSTOMER_FIELDS,
                max_rows=review_services.CUSTOMERS_IMPORT_LIMIT,
            )
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc


def _row_errors(exc: DomainError) -> list[str]:
    """The service's `row N.field` errors as lines a person reads: "Row N, email: …"."""
    lines = []
    for key, messages in exc.field_errors.items():
        label, _dot, field = key.rpartition(".")
        where = gettext("Row %(row)s, %(field)s") % {"row": label.removeprefix("row "), "field": field}
        lines += [f"{where}: {message}" if label else message for message in messages]
    return lines


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
    fields = [*readonly_fields[:3], "summary", *readonly_fields[3:], "import_customers"]
    readonly_fields = [*readonly_fields, "import_customers"]
    inlines = [FeedbackInline, CustomerInline, ActionItemInline, LessonInline]
    actions = ["recompute", "propose_plan", "complete"]

    def has_add_permission(self, request) -> bool:
        return False  # a review opens when its incident is resolved

    @admin.display(description=_("affected customers"))
    def import_customers(self, obj: Review) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:incidents_review_import_customers", args=[obj.pk]),
            _("Import customers (CSV)"),
        )

    def get_urls(self):
        return [
            path(
                "<uuid:review_id>/import-customers/",
                self.brand_view(self.import_customers_view, permission="crisis.write"),
                name="incidents_review_import_customers",
            ),
            *super().get_urls(),
        ]

    def import_customers_view(self, request, review_id):
        """Upload a CSV of affected customers: all rows or none, each problem shown by its row."""
        review = Review.objects.select_related("incident").filter(pk=review_id).first()
        if review is None:
            raise Http404
        form = CustomersImportForm(request.POST or None, request.FILES or None)
        errors: list[str] = []
        if request.method == "POST" and form.is_valid():
            rows = form.cleaned_data["file"]
            try:
                result = review_services.review_customers_import(
                    review_id=review.pk,
                    actor=request.user,
                    customers=[row for _line, row in rows],
                    labels=[f"row {line}" for line, _row in rows],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                errors = _row_errors(exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or gettext("Your role may not do this."))
            else:
                self.message_user(
                    request,
                    gettext(
                        "Imported: %(created)d added, %(updated)d updated, %(existing)d already there, "
                        "%(duplicates)d repeated in the file."
                    )
                    % result,
                )
                return HttpResponseRedirect(reverse("admin:incidents_review_change", args=[review.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": review,
            "form": form,
            "row_errors": errors,
            "title": gettext("Import affected customers: %(review)s") % {"review": review},
        }
        return TemplateResponse(request, "admin/incidents/review/import_customers.html", context)

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
