"""Brand admin for the crisis plan: editing the plan means adding a version, pre-filled from the
newest one."""

from django.contrib import admin

from incidents.admin.base import StaffOnlyAdmin
from incidents.models import CrisisPlanVersion
from incidents.services import plans as plan_services
from tenants.admin_services import ServiceForm, ServiceFormAdminMixin
from tenants.admin_sites import brand_admin_site


class CrisisPlanForm(ServiceForm):
    class Meta:
        model = CrisisPlanVersion
        fields = [
            "roles_and_contacts",
            "escalation_thresholds",
            "holding_statements",
            "guidelines",
            "change_note",
        ]


@admin.register(CrisisPlanVersion, site=brand_admin_site)
class CrisisPlanVersionAdmin(ServiceFormAdminMixin, StaffOnlyAdmin):
    """Editing the plan means adding a version, pre-filled from the newest one."""

    form = CrisisPlanForm
    list_display = ["version", "change_note", "created_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_through(self, request, obj, data):
        return plan_services.crisis_plan_publish(
            actor=request.user, **{k: data[k] for k in CrisisPlanForm.Meta.fields}
        )

    def get_changeform_initial_data(self, request):
        latest = CrisisPlanVersion.objects.order_by("-version").first()
        if latest is None:
            return {}
        return {f: getattr(latest, f) for f in CrisisPlanForm.Meta.fields if f != "change_note"}
