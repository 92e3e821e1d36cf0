"""Brand admin for care cases: the list with filters by state, owner and overdue, the case page
(owner and, for the roles that see them, the customer's contact details), actions that invite,
close and erase through the same services as the API, and the brand's care targets. Which role
sees or does what is read from `incidents.permissions.CARE_MATRIX`."""

import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.admin import intake  # noqa: F401 (registers the mentions admin extended below)
from incidents.admin.base import StaffOnlyAdmin
from incidents.models import CareCase, CareContact, CareSettings, Mention
from incidents.permissions import care_can
from incidents.selectors_care import care_cases_csv_rows
from incidents.services import care as care_services
from tenants.admin_lists import choices_filter
from tenants.admin_services import (
    ServiceForm,
    ServiceFormAdminMixin,
    ServiceRefusal,
    admin_service_call,
    service_refusal_message,
)
from tenants.admin_sites import brand_action, brand_admin_site
from tenants.audit import Action, audit_record
from tenants.platforms import platform_choices

DETAIL_FIELDS = ["customer_name", "customer_email", "customer_phone", "outcome"]
CASE_FIELDS = [
    "number", "platform", "author_handle", "state", "incident", "opened_at", "due_at", "invited_at",
    "private_contact_at", "closed_at", "invitation", "closing_reply", "reminded_at", "escalated_at", "erased_at",
]  # fmt: skip


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue")), ("no", _("On time or closed"))]

    def queryset(self, request, queryset):
        late = Q(state__in=CareCase.OPEN_STATES, due_at__lt=timezone.now())
        if self.value() == "yes":
            return queryset.filter(late)
        if self.value() == "no":
            return queryset.exclude(late)
        return queryset


class CareCaseForm(ServiceForm):
    class Meta:
        model = CareCase
        fields = ["owner", "customer_name", "customer_email", "customer_phone"]


class CareContactInline(admin.TabularInline):
    model = CareContact
    extra = 0
    can_delete = False

    def get_fields(self, request, obj=None):
        fields = ["at", "channel", "direction", "actor_label"]
        return [*fields, "summary"] if care_can(request.user, "care_contact_details") else fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # logged through the API or the service, which moves the case along

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class CareAdminMixin:
    """Module and view access from the care matrix; client people never see care pages."""

    def has_module_permission(self, request) -> bool:
        return care_can(request.user, "care_view")

    def has_view_permission(self, request, obj=None) -> bool:
        return care_can(request.user, "care_view")

    def has_change_permission(self, request, obj=None) -> bool:
        return care_can(request.user, "care_work")


@admin.register(CareCase, site=brand_admin_site)
class CareCaseAdmin(CareAdminMixin, ServiceFormAdminMixin, StaffOnlyAdmin):
    form = CareCaseForm
    list_display = ["number", "platform", "author_handle", "state", "owner", "incident", "due_at", "overdue"]
    list_filter = [
        "state",
        "owner",
        OverdueFilter,
        choices_filter("platform", _("platform"), platform_choices),
    ]
    list_select_related = ["owner", "incident"]
    search_fields = ["author_handle", "=number"]
    inlines = [CareContactInline]
    actions = ["invite", "close_unresolved", "close_unreachable", "resolve", "erase", "export_csv"]

    def has_add_permission(self, request) -> bool:
        return False  # opened from mentions (the mentions list's action) or the API

    def _sees_details(self, request) -> bool:
        return care_can(request.user, "care_contact_details")

    def get_fields(self, request, obj=None):
        editable = ["owner", *(DETAIL_FIELDS[:3] if self._sees_details(request) else [])]
        shown = [*CASE_FIELDS, *(["outcome"] if self._sees_details(request) else [])]
        return [*editable, *shown]

    def get_readonly_fields(self, request, obj=None):
        shown = [*CASE_FIELDS, *(["outcome"] if self._sees_details(request) else [])]
        if obj is not None and not self.has_change_permission(request, obj):
            return self.get_fields(request, obj)
        return shown

    def get_form(self, request, obj=None, **kwargs):
        kwargs["fields"] = [
            f for f in self.get_fields(request, obj) if f not in self.get_readonly_fields(request, obj)
        ]
        return super().get_form(request, obj, **kwargs)

    @admin.display(boolean=True, description=_("overdue"))
    def overdue(self, obj: CareCase) -> bool:
        return obj.is_overdue

    def save_through(self, request, obj, data):
        details = {f: data[f] or "" for f in DETAIL_FIELDS[:3] if f in data}
        changed = {f: v for f, v in details.items() if v != (getattr(obj, f) or "")}
        owner = data.get("owner")
        return care_services.care_case_update(
            actor=request.user,
            case_id=obj.pk,
            owner_id=owner.pk if owner is not None and owner.pk != obj.owner_id else None,
            **changed,
        )

    def _each(self, request, queryset, call, done) -> None:
        count = 0
        for pk in queryset.values_list("pk", flat=True):
            if admin_service_call(self, request, lambda pk=pk: call(pk)):
                count += 1
        if count:
            self.message_user(request, f"{done}: {count}.", messages.SUCCESS)

    @brand_action(permission="workspace.write", description=_("Draft the invitation to a private channel"))
    def invite(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda pk: care_services.care_case_invite(actor=request.user, case_id=pk),
            _("Invitations drafted"),
        )

    @brand_action(permission="workspace.write", description=_("Resolve (drafts the public closing reply)"))
    def resolve(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda pk: care_services.care_case_close(
                actor=request.user, case_id=pk, state=CareCase.State.RESOLVED
            ),
            _("Resolved"),
        )

    @brand_action(permission="workspace.write", description=_("Close as unresolved"))
    def close_unresolved(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda pk: care_services.care_case_close(
                actor=request.user, case_id=pk, state=CareCase.State.UNRESOLVED
            ),
            _("Closed"),
        )

    @brand_action(permission="workspace.write", description=_("Close: customer unreachable"))
    def close_unreachable(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda pk: care_services.care_case_close(
                actor=request.user, case_id=pk, state=CareCase.State.UNREACHABLE
            ),
            _("Closed"),
        )

    @brand_action(permission="workspace.write", description=_("Erase the customer's personal data"))
    def erase(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda pk: care_services.care_case_erase(actor=request.user, case_id=pk),
            _("Personal data erased"),
        )

    @brand_action(permission="workspace.read", description=_("Export selected cases as CSV"))
    def export_csv(self, request, queryset):
        """The selected cases as CSV; the customer's details only for the roles that see them."""
        with_details = self._sees_details(request)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="care-cases-{request.tenant.slug}.csv"'
        response["Cache-Control"] = "no-store"
        writer = csv.writer(response)
        rows = -1  # the header is not a case
        for row in care_cases_csv_rows(cases=queryset, with_details=with_details):
            writer.writerow(row)
            rows += 1
        audit_record(
            action=Action.EXPORT,
            in_current_brand=True,
            changes={"what": "care_cases", "rows": rows, "personal_data": with_details},
        )
        return response


class CareSettingsForm(ServiceForm):
    class Meta:
        model = CareSettings
        fields = ["resolve_within_hours", "escalate_after_hours"]


@admin.register(CareSettings, site=brand_admin_site)
class CareSettingsAdmin(CareAdminMixin, ServiceFormAdminMixin, StaffOnlyAdmin):
    form = CareSettingsForm
    list_display = ["__str__", "resolve_within_hours", "escalate_after_hours"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return care_can(request.user, "care_erase")  # the brand-wide roles set targets

    def changelist_view(self, request, extra_context=None):
        # The role is checked before the settings row is made, and a posted action goes through the
        # base list, which refuses what the matrix forbids (a redirect would hide the refusal).
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return super().changelist_view(request, extra_context)
        row = care_services.care_settings_get()
        return HttpResponseRedirect(reverse("admin:incidents_caresettings_change", args=[row.pk]))

    def save_through(self, request, obj, data):
        return care_services.care_settings_update(actor=request.user, **data)

    def save_model(self, request, obj, form, change):
        pass


@brand_action(permission="workspace.write", description=_("Open a care case for these mentions (one author)"))
def mentions_open_care_case(modeladmin, request, queryset):
    """Mentions list action: open (or join) the care case of the selected mentions' author."""
    try:
        case = care_services.care_case_open(
            actor=request.user, mention_ids=list(queryset.values_list("pk", flat=True))
        )
    except ServiceRefusal as exc:
        service_refusal_message(modeladmin, request, exc)
        return None
    return HttpResponseRedirect(reverse("admin:incidents_carecase_change", args=[case.pk]))


# Offered on the mentions list (registered by the early-warning admin, imported before this one).
_mention_admin = brand_admin_site._registry[Mention]
_mention_admin.actions = [*(_mention_admin.actions or []), mentions_open_care_case]
