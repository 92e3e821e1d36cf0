"""Brand admin for drills: scenarios (with their recurrence, editable, and the next drill it
scheduled), and drills that start on time (or now, by action) and finish with a debrief."""

from django.contrib import admin
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from incidents.admin.base import StaffOnlyAdmin
from incidents.models import Drill, DrillScenario
from incidents.services import drills as drill_services
from tenants.admin_services import ServiceForm, ServiceFormAdminMixin, admin_service_call
from tenants.admin_sites import brand_action, brand_admin_site


class DrillScenarioForm(ServiceForm):
    class Meta:
        model = DrillScenario
        fields = [
            "title",
            "description",
            "severity",
            "source_category",
            "injects",
            "recurrence",
            "recurrence_start",
        ]


@admin.register(DrillScenario, site=brand_admin_site)
class DrillScenarioAdmin(ServiceFormAdminMixin, StaffOnlyAdmin):
    """A scenario is written once; its schedule (recurrence) stays editable."""

    form = DrillScenarioForm
    list_display = ["title", "severity", "source_category", "recurrence", "next_drill", "created_at"]

    def get_queryset(self, request):
        waiting = Drill.objects.filter(recurring=True, state=Drill.State.SCHEDULED)
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("drills", queryset=waiting, to_attr="next_drills"))
        )

    @admin.display(description=_("next drill"))
    def next_drill(self, obj: DrillScenario) -> str:
        waiting = getattr(obj, "next_drills", None)
        if waiting is None:
            waiting = list(obj.drills.filter(recurring=True, state=Drill.State.SCHEDULED))
        # Shown on the brand's clock (the admin runs in the brand's time zone).
        return f"{timezone.localtime(waiting[0].scheduled_for):%Y-%m-%d %H:%M %Z}" if waiting else "—"

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["title", "description", "severity", "source_category", "injects", "next_drill"]

    def get_fields(self, request, obj=None):
        fields = list(DrillScenarioForm.Meta.fields)
        return fields if obj is None else [*fields, "next_drill"]

    def save_through(self, request, obj, data):
        if obj is not None:
            return drill_services.drill_scenario_recurrence_set(
                actor=request.user,
                scenario_id=obj.pk,
                recurrence=data.get("recurrence", ""),
                recurrence_start=data.get("recurrence_start"),
            )
        return drill_services.drill_scenario_create(
            actor=request.user, **{k: data[k] for k in DrillScenarioForm.Meta.fields}
        )


class DrillForm(ServiceForm):
    class Meta:
        model = Drill
        fields = ["scenario", "scheduled_for", "debrief"]


@admin.register(Drill, site=brand_admin_site)
class DrillAdmin(ServiceFormAdminMixin, StaffOnlyAdmin):
    """Schedule a drill; it starts on time (or now, by action); write the debrief to finish it."""

    form = DrillForm
    list_display = ["scenario", "scheduled_for", "recurring", "state", "incident_link", "finished_at"]
    list_filter = ["state", "recurring"]
    list_select_related = ["scenario", "incident"]
    actions = ["start_now"]

    @admin.display(description=_("incident"))
    def incident_link(self, obj: Drill) -> str:
        if not obj.incident_id:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:incidents_incident_war_room", args=[obj.incident_id]),
            _("Drill %(number)s") % {"number": obj.incident.display_number},
        )

    def get_fields(self, request, obj=None):
        return (
            ["scenario", "scheduled_for"]
            if obj is None
            else ["scenario", "scheduled_for", "state", "figures", "debrief"]
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        readonly = ["scenario", "scheduled_for", "state", "figures"]
        return readonly + (["debrief"] if obj.state != Drill.State.RUNNING else [])

    def save_through(self, request, obj, data):
        if obj is None:
            return drill_services.drill_schedule(
                actor=request.user, scenario_id=data["scenario"].pk, scheduled_for=data["scheduled_for"]
            )
        return drill_services.drill_finish(
            drill_id=obj.pk, actor=request.user, debrief=data.get("debrief", "")
        )

    @brand_action(permission="workspace.write", description=_("Start selected drills now"))
    def start_now(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            admin_service_call(
                self, request, lambda pk=pk: drill_services.drill_start(drill_id=pk, actor=request.user)
            )
        self.message_user(request, _("Started."))
