"""Brand admin for responses: read them, submit and approve them in bulk (they are drafted in the
war room or through the API, where their context is known)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from incidents.admin.base import StaffOnlyAdmin
from incidents.models import Response
from incidents.services import responses as response_services
from tenants.admin_services import admin_service_call
from tenants.admin_sites import brand_action, brand_admin_site


@admin.register(Response, site=brand_admin_site)
class ResponseAdmin(StaffOnlyAdmin):
    list_display = [
        "created_at",
        "kind",
        "state",
        "incident",
        "short_text",
        "empathy_passed",
        "requires_client_approval",
    ]
    list_filter = ["state", "kind", "empathy_passed", "language"]
    search_fields = ["text"]
    list_select_related = ["incident"]
    actions = ["submit", "approve"]
    readonly_fields = [
        "incident", "mention", "kind", "language", "text", "empathy_report", "state", "requires_approval",
        "requires_client_approval", "rejection_reason", "approved_at", "approved_text", "sent_at", "external_id",
    ]  # fmt: skip
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False  # drafted in the war room or through the API, where the context is known

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("text"))
    def short_text(self, obj: Response) -> str:
        return obj.text[:120]

    @admin.display(description=_("empathy check"))
    def empathy_report(self, obj: Response) -> str:
        from django.utils.html import format_html_join

        return format_html_join(
            "",
            "<div>{} <b>{}</b>: {}</div>",
            (("✔" if c["ok"] else "✘", c["code"], c["reason"]) for c in obj.empathy_checks),
        )

    def _each(self, request, queryset, service, done):
        count = 0
        for pk in queryset.values_list("pk", flat=True):
            if admin_service_call(self, request, lambda pk=pk: service(response_id=pk, actor=request.user)):
                count += 1
        if count:
            self.message_user(request, f"{done}: {count}.")

    @brand_action(permission="workspace.write", description=_("Submit selected drafts"))
    def submit(self, request, queryset):
        self._each(request, queryset, response_services.response_submit, _("Submitted"))

    @brand_action(permission="workspace.write", description=_("Approve selected responses"))
    def approve(self, request, queryset):
        self._each(request, queryset, response_services.response_approve, _("Approved"))
