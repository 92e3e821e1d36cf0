"""Brand admin for incidents: the list, the form, the war room (every action of a crisis in one
page, each through the same services as the API) and the brand's crisis settings."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from incidents import selectors_crisis as selectors
from incidents.admin.base import StaffOnlyAdmin
from incidents.models import (
    CrisisSettings,
    Incident,
    IncidentTask,
    ModerationAction,
    ResponseKind,
    ResponseTemplate,
    Severity,
)
from incidents.permissions import incident_actions
from incidents.services import incidents as incident_services
from incidents.services import moderation as moderation_services
from incidents.services import one_crisis
from incidents.services import responses as response_services
from incidents.services import status_updates as status_update_services
from incidents.services import team as team_services
from incidents.services import timeline as timeline_services
from incidents.services.incidents import TRANSITIONS, allowed_next_statuses
from incidents.services.settings import crisis_settings_get
from tenants.admin_services import (
    ServiceForm,
    ServiceFormAdminMixin,
    ServiceRefusal,
    admin_service_call,
    service_refusal_message,
)
from tenants.admin_sites import brand_admin_site
from tenants.errors import DomainError


class AgeFilter(admin.SimpleListFilter):
    title = _("age")
    parameter_name = "age"

    def lookups(self, request, model_admin):
        return [
            ("24h", _("Opened in the last 24 hours")),
            ("7d", _("Last 7 days")),
            ("old", _("Older than 7 days")),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "24h":
            return queryset.filter(opened_at__gte=now - timedelta(hours=24))
        if self.value() == "7d":
            return queryset.filter(opened_at__gte=now - timedelta(days=7))
        if self.value() == "old":
            return queryset.filter(opened_at__lt=now - timedelta(days=7))
        return queryset


class IncidentForm(ServiceForm):
    affected_platforms = forms.CharField(
        required=False, help_text=_("Comma-separated, e.g. instagram, x, tiktok")
    )

    class Meta:
        model = Incident
        fields = ["title", "summary", "severity", "source_category", "root_cause_notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["affected_platforms"] = ", ".join(self.instance.affected_platforms)

    def clean_affected_platforms(self):
        return [p.strip().lower() for p in self.cleaned_data["affected_platforms"].split(",") if p.strip()]


@admin.register(Incident, site=brand_admin_site)
class IncidentAdmin(ServiceFormAdminMixin, StaffOnlyAdmin):
    form = IncidentForm
    list_display = [
        "number_shown",
        "title",
        "severity",
        "status",
        "source_category",
        "opened_at",
        "is_drill",
        "war_room",
    ]
    list_display_links = ["number_shown", "title"]
    list_filter = ["status", "severity", "source_category", AgeFilter, "is_drill"]
    search_fields = ["title", "summary"]
    ordering = ["-opened_at"]

    @admin.display(description=_("number"), ordering="number")
    def number_shown(self, obj: Incident) -> str:
        # Drills number apart: "D-3" never reads as incident #3.
        return obj.display_number

    @admin.display(description=_("war room"))
    def war_room(self, obj: Incident) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:incidents_incident_war_room", args=[obj.pk]), _("Open")
        )

    def get_urls(self):
        return [
            path(
                "<uuid:incident_id>/war-room/",
                # Each war-room action is then checked by its service against the incident matrix.
                self.brand_view(self.war_room_view, permission="workspace.read"),
                name="incidents_incident_war_room",
            ),
            path(
                "from-alert/<uuid:alert_id>/",
                self.brand_view(require_POST(self.from_alert_view), permission="workspace.write"),
                name="incidents_incident_from_alert",
            ),
            *super().get_urls(),
        ]

    def save_through(self, request, obj, data):
        if obj is not None:
            fields = (
                "title",
                "summary",
                "severity",
                "source_category",
                "root_cause_notes",
                "affected_platforms",
            )
            return incident_services.incident_update(
                incident_id=obj.pk, actor=request.user, **{f: data[f] for f in fields}
            )
        return incident_services.incident_open(
            actor=request.user,
            title=data["title"],
            summary=data["summary"],
            severity=data["severity"],
            source_category=data["source_category"],
            affected_platforms=data["affected_platforms"],
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The admin's own refusal (the role may not open this form) stays a 403; only a service's
        # refusal becomes a message, or a refused role would be redirected to the same page forever.
        opens = self.has_add_permission(request) if object_id is None else self.has_view_permission(request)
        if not opens:
            raise PermissionDenied
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefusal as exc:
            service_refusal_message(self, request, exc)
            return HttpResponseRedirect(request.path)

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:incidents_incident_war_room", args=[obj.pk]))

    def from_alert_view(self, request, alert_id):
        from incidents.models import Alert

        get_object_or_404(Alert, pk=alert_id)
        holder = {}

        def call():
            holder["incident"] = incident_services.incident_open_from_alert(
                alert_id=alert_id, actor=request.user
            )

        if admin_service_call(self, request, call, success=_("Incident opened from the alert.")):
            return HttpResponseRedirect(
                reverse("admin:incidents_incident_war_room", args=[holder["incident"].pk])
            )
        return HttpResponseRedirect(reverse("admin:incidents_alert_changelist"))

    # -- The war room --
    def war_room_view(self, request, incident_id):
        if request.method == "POST" and not self._can(request, "workspace.write"):
            raise PermissionDenied
        data = selectors.war_room_get(incident_id=incident_id)
        incident = data["incident"]
        if request.method == "POST":
            return self._war_room_post(request, incident) or HttpResponseRedirect(request.path)
        can = incident_actions(request.user, incident)
        context = {
            **self.admin_site.each_context(request),
            **data,
            "title": f"War room · {incident.display_number} {incident.title}",
            "opts": self.model._meta,
            "can": can,
            "next_statuses": [
                (to, Incident.Status(to).label, TRANSITIONS[(incident.status, to)].requires)
                for to in allowed_next_statuses(incident.status)
            ],
            "roster": selectors.roster_list(),
            "task_statuses": IncidentTask.Status.choices,
            "severities": Severity.choices,
            "now": timezone.now(),
            "templates": ResponseTemplate.objects.filter(is_active=True).order_by("situation", "name"),
            "response_kinds": ResponseKind.choices,
            "guidelines": moderation_services.guidelines_current(),
            "moderation_actions": ModerationAction.Action.choices,
            **self._war_room_linking(request, incident),
        }
        return TemplateResponse(request, "incidents/crisis/war_room.html", context)

    def _war_room_linking(self, request, incident: Incident) -> dict:
        """The war room's search for more mentions to link, alerts to attach, incidents to merge into."""
        from incidents.models import Mention

        get = request.GET
        search = {
            "q": get.get("mq", "")[:200],
            "platform": get.get("mplatform", "")[:32],
            "band": get.get("mband", ""),
            "unanswered_only": get.get("munanswered") == "1",
        }
        searching = any(search.values())
        return {
            "mention_search": search,
            "mention_bands": Mention.Band.choices,
            "candidates": selectors.mention_candidates_list(incident=incident, **search) if searching else [],
            "searching": searching,
            "attachable_alerts": selectors.alerts_attachable_list(incident=incident)
            if incident.is_open
            else [],
            "merge_targets": selectors.merge_targets_list(incident=incident) if incident.is_open else [],
        }

    def _war_room_post(self, request, incident: Incident) -> None:
        post, user, pk = request.POST, request.user, incident.pk
        action = post.get("action", "")
        calls = {
            "transition": lambda: incident_services.incident_transition(
                incident_id=pk,
                actor=user,
                to_status=post.get("to_status", ""),
                reason=post.get("reason", ""),
                summary=post.get("summary", ""),
            ),
            "note": lambda: timeline_services.timeline_note_add(
                incident_id=pk, actor=user, text=post.get("text", ""), pinned=bool(post.get("pinned"))
            ),
            "pin": lambda: timeline_services.timeline_pin_set(
                entry_id=post.get("entry_id"), actor=user, pinned=post.get("pinned") == "1"
            ),
            "assign": lambda: team_services.assignment_add(
                incident_id=pk, actor=user, member_id=post.get("member_id")
            ),
            "unassign": lambda: team_services.assignment_end(
                assignment_id=post.get("assignment_id"), actor=user
            ),
            "task": lambda: team_services.task_create(
                incident_id=pk,
                actor=user,
                title=post.get("title", ""),
                owner_id=post.get("owner_id"),
                due_at=_parse_local(post.get("due_at", "")),
                description=post.get("description", ""),
            ),
            "task_status": lambda: team_services.task_update(
                task_id=post.get("task_id"), actor=user, status=post.get("status")
            ),
            "status_update": lambda: status_update_services.status_update_draft(
                incident_id=pk,
                actor=user,
                conditions=post.get("conditions", ""),
                actions=post.get("actions", ""),
                needs=post.get("needs", ""),
                requires_client_approval=bool(post.get("requires_client_approval")),
            ),
            "approve_status_update": lambda: status_update_services.status_update_approve(
                status_update_id=post.get("status_update_id"), actor=user
            ),
            "approve_response": lambda: response_services.response_approve(
                response_id=post.get("response_id"), actor=user
            ),
            "reject_response": lambda: response_services.response_reject(
                response_id=post.get("response_id"), actor=user, reason=post.get("reason", "")
            ),
            "draft_response": lambda: response_services.response_draft(
                actor=user,
                kind=post.get("kind", ""),
                incident_id=pk,
                mention_id=post.get("mention_id") or None,
                text=post.get("text", ""),
                template_id=post.get("template_id") or None,
                context={
                    k: post.get(k, "")
                    for k in ("customer_name", "product", "case_number", "agent", "facts")
                    if post.get(k)
                },
                language=post.get("language") or None,
                at_fault=_at_fault_choice(post.get("at_fault")),
                requires_client_approval=bool(post.get("requires_client_approval")),
            ),
            "edit_response": lambda: response_services.response_update(
                response_id=post.get("response_id"), actor=user, text=post.get("text", "")
            ),
            "submit_response": lambda: response_services.response_submit(
                response_id=post.get("response_id"), actor=user
            ),
            "link_mentions": lambda: incident_services.incident_mentions_link(
                incident_id=pk,
                actor=user,
                mention_ids=_require_list(post.getlist("mention_ids"), "mention_ids"),
            ),
            "attach_alert": lambda: one_crisis.incident_alert_attach(
                incident_id=pk, alert_id=post.get("alert_id"), actor=user
            ),
            "merge": lambda: one_crisis.incident_merge(
                incident_id=pk, into_id=post.get("into_id"), actor=user, reason=post.get("reason", "")
            ),
            "moderate": lambda: moderation_services.moderation_act(
                actor=user,
                mention_id=post.get("mention_id"),
                action=post.get("moderation_action", ""),
                rule_number=int(post["rule_number"]) if post.get("rule_number", "").isdigit() else None,
                reason=post.get("reason", ""),
                public_explanation=post.get("public_explanation", ""),
                incident_id=pk,
            ),
        }
        if action not in calls:
            self.message_user(request, _("Unknown action."), messages.ERROR)
            return
        try:
            done = admin_service_call(self, request, calls[action], success=_("Done."))
            if done and action == "merge":
                # The merged incident's war room now only points on: go to the survivor's.
                return HttpResponseRedirect(
                    reverse("admin:incidents_incident_war_room", args=[post.get("into_id")])
                )
        except (ValueError, ValidationError, ObjectDoesNotExist):
            # A missing or malformed id (a stale page or a tampered form) changes nothing.
            self.message_user(
                request, _("That item no longer exists or the input was invalid."), messages.ERROR
            )


def _at_fault_choice(value) -> bool:
    """Whether the brand is at fault is a choice the drafter makes; nothing is assumed."""
    if value not in ("0", "1"):
        raise DomainError(
            _("Choose whether the brand is at fault."), field_errors={"at_fault": [_("Choose yes or no.")]}
        )
    return value == "1"


def _require_list(values: list[str], field: str) -> list[str]:
    if not values:
        raise DomainError(_("Choose at least one."), field_errors={field: [_("Choose at least one.")]})
    return values


def _parse_local(value: str):
    """A datetime-local input, read in the brand's (active) time zone."""
    from datetime import datetime

    try:
        naive = datetime.fromisoformat(value)
    except ValueError as exc:
        raise DomainError("Give a due time.", field_errors={"due_at": ["Invalid time."]}) from exc
    return timezone.make_aware(naive) if timezone.is_naive(naive) else naive


TARGET_FIELDS = [
    *(f"first_response_target_{s}_minutes" for s in ("critical", "high", "medium", "low")),
    *(f"resolve_target_{s}_hours" for s in ("critical", "high", "medium", "low")),
]


class CrisisSettingsForm(ServiceForm):
    class Meta:
        model = CrisisSettings
        fields = [
            "auto_open_max_severity", "statement_empathy_gate", "reply_approval_max_severity",
            "update_cadence_critical_hours", "update_cadence_high_hours", "update_cadence_medium_hours",
            "update_cadence_low_hours", "reminder_lead_minutes", "incident_join_window_minutes",
            *TARGET_FIELDS,
            "reviews_need_client_sign_off", "review_survey_delay_hours",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left empty, the brand keeps its current window (older forms and scripts do not send it).
        self.fields["incident_join_window_minutes"].required = False
        for name in TARGET_FIELDS:
            self.fields[name].required = False


@admin.register(CrisisSettings, site=brand_admin_site)
class CrisisSettingsAdmin(ServiceFormAdminMixin, StaffOnlyAdmin):
    form = CrisisSettingsForm
    list_display = [
        "__str__",
        "auto_open_max_severity",
        "statement_empathy_gate",
        "reply_approval_max_severity",
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied  # before crisis_settings_get, which makes the row
        if request.method == "POST":
            return super().changelist_view(request, extra_context)  # an action: checked there

        settings = crisis_settings_get()
        return HttpResponseRedirect(reverse("admin:incidents_crisissettings_change", args=[settings.pk]))

    def save_through(self, request, obj, data):
        changes = {k: data[k] for k in CrisisSettingsForm.Meta.fields}
        for name in ("incident_join_window_minutes", *TARGET_FIELDS):
            if changes.get(name) is None:
                changes.pop(name, None)
        return incident_services.crisis_settings_update(actor=request.user, **changes)

    def save_model(self, request, obj, form, change):
        pass
