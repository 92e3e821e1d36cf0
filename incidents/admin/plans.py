"""Brand admin for the crisis plan. *Add* publishes a version written by hand, pre-filled from the
current one. The open draft (proposed by reviews' accepted lessons) is the one version that can be
edited: its form shows the proposed changes beside the sections, *Save and publish* gives it the
next number; the list's actions publish or discard it (with a reason). Published versions never
change and show the reviews that caused them."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from incidents.admin.base import StaffOnlyAdmin
from incidents.models import CrisisPlanVersion
from incidents.services import plans as plan_services
from tenants.admin_services import ServiceForm, ServiceFormAdminMixin, admin_service_call
from tenants.admin_sites import brand_action, brand_admin_site

SECTIONS = ["roles_and_contacts", "escalation_thresholds", "holding_statements", "guidelines"]


class CrisisPlanForm(ServiceForm):
    class Meta:
        model = CrisisPlanVersion
        fields = [*SECTIONS, "change_note"]


class CrisisPlanActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason (to discard)"), required=False, max_length=4000)


@admin.register(CrisisPlanVersion, site=brand_admin_site)
class CrisisPlanVersionAdmin(ServiceFormAdminMixin, StaffOnlyAdmin):
    form = CrisisPlanForm
    action_form = CrisisPlanActionForm
    change_form_template = "admin/incidents/crisisplanversion/change_form.html"
    list_display = ["label", "state", "change_note", "caused_by", "created_at", "published_at"]
    list_filter = ["state"]
    actions = ["publish_drafts", "discard_drafts"]
    readonly_fields = [
        "state",
        "version",
        "based_on",
        "proposed_changes_list",
        "caused_by",
        "published_at",
        "discarded_at",
        "discard_reason",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("source_reviews__incident")

    def has_change_permission(self, request, obj=None) -> bool:
        # Only the open draft is edited; published and discarded versions are kept as they are.
        return (
            obj is not None
            and obj.state == CrisisPlanVersion.State.DRAFT
            and super().has_change_permission(request, obj)
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": [*SECTIONS, "change_note"]})]
        facts = [
            "state",
            "version",
            "based_on",
            "caused_by",
            "published_at",
            "discarded_at",
            "discard_reason",
        ]
        return [
            (
                _("Proposed changes"),
                {
                    "fields": ["proposed_changes_list"],
                    "description": _(
                        "The accepted lessons of the reviews that fed this draft: write them into the sections."
                    ),
                },
            ),
            (_("Plan"), {"fields": [*SECTIONS, "change_note"]}),
            (_("Version"), {"fields": facts}),
        ]

    @admin.display(description=_("version"))
    def label(self, obj: CrisisPlanVersion) -> str:
        return f"v{obj.version}" if obj.version else str(obj.get_state_display())

    @admin.display(description=_("based on"))
    def based_on(self, obj: CrisisPlanVersion) -> str:
        if obj.based_on_version is None:
            return "—"
        current = plan_services.crisis_plan_current()
        if obj.state == CrisisPlanVersion.State.DRAFT and current and current.version != obj.based_on_version:
            return _("v%(based)s (the plan is now at v%(current)s: compare before publishing)") % {
                "based": obj.based_on_version,
                "current": current.version,
            }
        return f"v{obj.based_on_version}"

    @admin.display(description=_("from the reviews"))
    def caused_by(self, obj: CrisisPlanVersion) -> str:
        reviews = sorted(obj.source_reviews.all(), key=lambda r: r.incident.number)
        if not reviews:
            return "—"
        return format_html_join(
            ", ",
            '<a href="{}">#{} {}</a>',
            (
                (reverse("admin:incidents_review_change", args=[r.pk]), r.incident.number, r.incident.title)
                for r in reviews
            ),
        )

    @admin.display(description=_("proposed changes"))
    def proposed_changes_list(self, obj: CrisisPlanVersion) -> str:
        if not obj.proposed_changes:
            return "—"
        items = format_html_join(
            "",
            "<li>{} <span class='help'>({} {})</span></li>",
            (
                (
                    c.get("text", ""),
                    c.get("incident_display_number") or f"#{c.get('incident_number', '')}",
                    c.get("incident_title", ""),
                )
                for c in obj.proposed_changes
            ),
        )
        return format_html("<ul>{}</ul>", items)

    def save_through(self, request, obj, data):
        values = {k: data[k] for k in CrisisPlanForm.Meta.fields}
        if obj is None:
            return plan_services.crisis_plan_publish(actor=request.user, **values)
        return plan_services.crisis_plan_draft_update(draft_id=obj.pk, actor=request.user, **values)

    def get_changeform_initial_data(self, request):
        latest = plan_services.crisis_plan_current()
        if latest is None:
            return {}
        return {f: getattr(latest, f) for f in SECTIONS}

    def response_change(self, request, obj):
        if "_publish" in request.POST:
            if admin_service_call(
                self,
                request,
                lambda: plan_services.crisis_plan_draft_publish(draft_id=obj.pk, actor=request.user),
                success=_("The draft is published."),
            ):
                return HttpResponseRedirect(reverse("admin:incidents_crisisplanversion_changelist"))
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def _each_draft(self, request, queryset, call, done) -> None:
        count = sum(
            1
            for pk in queryset.values_list("pk", flat=True)
            if admin_service_call(self, request, lambda pk=pk: call(pk))
        )
        if count:
            self.message_user(request, f"{done}: {count}.")

    @brand_action(permission="crisis.write", description=_("Publish the selected draft"))
    def publish_drafts(self, request, queryset):
        self._each_draft(
            request,
            queryset,
            lambda pk: plan_services.crisis_plan_draft_publish(draft_id=pk, actor=request.user),
            _("Published"),
        )

    @brand_action(permission="crisis.write", description=_("Discard the selected draft (give a reason)"))
    def discard_drafts(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if not reason:
            self.message_user(request, _("Give a reason to discard a draft."), messages.ERROR)
            return
        self._each_draft(
            request,
            queryset,
            lambda pk: plan_services.crisis_plan_draft_discard(
                draft_id=pk, actor=request.user, reason=reason
            ),
            _("Discarded"),
        )
