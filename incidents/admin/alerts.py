"""Brand admin for alerts: acknowledge, dismiss, reopen, open or join an incident, through the
same services as the API."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from incidents.models import Alert, Incident, Mention
from incidents.services.alerts import alert_acknowledge, alert_dismiss
from incidents.services.incidents import incident_open_from_alert
from incidents.services.one_crisis import alert_reopen, incident_alert_attach
from tenants.admin_services import admin_service_call
from tenants.admin_sites import ReadOnlyBrandModelAdmin, brand_action, brand_admin_site


# --- Alerts -----------------------------------------------------------------------------------------
class AlertActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason (to dismiss)"), required=False, max_length=4000)
    incident_number = forms.IntegerField(label=_("Incident number (to attach)"), required=False, min_value=1)


@admin.register(Alert, site=brand_admin_site)
class AlertAdmin(ReadOnlyBrandModelAdmin):
    """Alerts are written by the sweep; staff change their state only through the actions."""

    list_display = ["raised_at", "detector", "severity", "state", "title", "last_seen_at", "update_count"]
    list_filter = ["state", "detector", "severity"]
    search_fields = ["title", "condition_key"]
    action_form = AlertActionForm
    actions = ["acknowledge_alerts", "dismiss_alerts", "open_incidents", "attach_alerts", "reopen_alerts"]
    fields = [
        "title",
        "detector",
        "condition_key",
        "state",
        "severity",
        "incident",
        "window_start",
        "window_end",
        "evidence_html",
        "raised_at",
        "last_seen_at",
        "update_count",
        "acknowledged_at",
        "acknowledged_by",
        "dismissed_at",
        "dismissed_by",
        "dismiss_reason",
    ]
    readonly_fields = fields

    @admin.display(description=_("evidence"))
    def evidence_html(self, obj: Alert) -> str:
        # Rendered by an autoescaping template: evidence holds texts posted by anyone.
        ids = obj.evidence.get("example_mention_ids") or []
        return render_to_string(
            "incidents/early_warning/alert_evidence.html",
            {
                "evidence": sorted((k, v) for k, v in obj.evidence.items() if k not in ("member_ids",)),
                "examples": Mention.objects.filter(pk__in=ids[:10]).order_by("posted_at"),
            },
        )

    def _run(self, request, queryset, action, done: str) -> None:
        count = 0
        for pk in queryset.values_list("pk", flat=True):
            if admin_service_call(self, request, lambda pk=pk: action(pk)):
                count += 1
        if count:
            self.message_user(request, f"{done}: {count}.")

    @brand_action(permission="workspace.write", description=_("Acknowledge selected alerts"))
    def acknowledge_alerts(self, request, queryset):
        self._run(
            request, queryset, lambda pk: alert_acknowledge(alert_id=pk, actor=request.user), "Acknowledged"
        )

    @brand_action(permission="workspace.write", description=_("Dismiss selected alerts (give a reason)"))
    def dismiss_alerts(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if not reason:
            self.message_user(request, _("Give a reason to dismiss an alert."), messages.ERROR)
            return
        self._run(
            request,
            queryset,
            lambda pk: alert_dismiss(alert_id=pk, reason=reason, actor=request.user),
            "Dismissed",
        )

    @brand_action(permission="workspace.write", description=_("Open an incident from each selected alert"))
    def open_incidents(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda pk: incident_open_from_alert(alert_id=pk, actor=request.user),
            "Incidents opened",
        )

    @brand_action(
        permission="workspace.write", description=_("Attach selected alerts to an incident (give its number)")
    )
    def attach_alerts(self, request, queryset):
        number = (request.POST.get("incident_number") or "").strip()
        # An incident's number (#12); a drill's D-12 is a different sequence, never matched here.
        incident = (
            Incident.objects.filter(number=int(number), is_drill=False).first() if number.isdigit() else None
        )
        if incident is None:
            self.message_user(request, _("Give the number of an existing incident."), messages.ERROR)
            return
        self._run(
            request,
            queryset,
            lambda pk: incident_alert_attach(incident_id=incident.pk, alert_id=pk, actor=request.user),
            _("Attached"),
        )

    @brand_action(permission="workspace.write", description=_("Reopen selected alerts"))
    def reopen_alerts(self, request, queryset):
        self._run(
            request,
            queryset,
            lambda pk: alert_reopen(alert_id=pk, actor=request.user, reason=request.POST.get("reason", "")),
            _("Reopened"),
        )
