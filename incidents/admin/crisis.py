"""Brand admin for crisis work: incidents with their war room, the roster, responses and the
template library, the moderation log, community guidelines, drills, the crisis plan and the
brand's crisis settings. Every change goes through the same services as the API; the timeline and
the moderation log are never edited here. Client people see the moderation log; the rest is staff
work (clients read incidents at /reports/incidents/)."""

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
from incidents.models import (
    CrisisPlanVersion,
    CrisisSettings,
    Drill,
    DrillScenario,
    GuidelineRule,
    GuidelineVersion,
    Incident,
    IncidentTask,
    ModerationAction,
    Response,
    ResponseKind,
    ResponseTemplate,
    RosterMember,
    Severity,
)
from incidents.permissions import incident_actions
from incidents.services import drills as drill_services
from incidents.services import incidents as incident_services
from incidents.services import moderation as moderation_services
from incidents.services import one_crisis
from incidents.services import plans as plan_services
from incidents.services import responses as response_services
from incidents.services import status_updates as status_update_services
from incidents.services import team as team_services
from incidents.services import template_library as response_template_library
from incidents.services import timeline as timeline_services
from incidents.services.incidents import TRANSITIONS, allowed_next_statuses
from incidents.templating import validate_template
from tenants.admin_lists import choices_filter
from tenants.admin_sites import BrandModelAdmin, brand_action, brand_admin_site
from tenants.errors import DomainError
from tenants.models import BrandGrant
from tenants.platforms import platform_choices


class StaffOnlyAdmin(BrandModelAdmin):
    """Crisis workspace pages are for agency staff; client people use the report pages."""

    view_permission = "workspace.read"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # history is kept: versions, logs and incidents are never deleted

    def _service(self, request, call, success: str | None = None) -> bool:
        """Run a service call; its refusals become messages instead of errors."""
        try:
            call()
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return False
        except PermissionDenied as exc:
            self.message_user(request, str(exc) or _("Your role may not do this."), messages.ERROR)
            return False
        if success:
            self.message_user(request, success, messages.SUCCESS)
        return True


def _adopt(obj, saved) -> None:
    """Make the admin's instance the row the service saved (for the change message and redirect)."""
    obj.__dict__.update(saved.__dict__)
    obj._state.adding = False


def _form_error(form, exc: DomainError) -> None:
    if exc.field_errors:
        for field, errors in exc.field_errors.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.message)


class ServiceForm(forms.ModelForm):
    """A model form whose save is a service call (set as `service` by the admin)."""

    service = None

    def _post_clean(self):
        pass  # the service validated and saved; the form never writes the instance itself

    def clean(self):
        cleaned = super().clean()
        if self.service is not None and not self.errors:
            try:
                self.saved = self.service(cleaned)
            except DomainError as exc:
                _form_error(self, exc)
            except PermissionDenied as exc:
                self.add_error(None, str(exc))
        return cleaned


class ServiceFormAdminMixin:
    """An admin whose form saves through a service: `save_through` makes the call (inside the
    form's clean, so a DomainError lands on its field) and the admin adopts the saved row."""

    def save_through(self, request, obj, data):
        raise NotImplementedError

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if hasattr(form, "service"):  # the change view of a read-only admin has a plain form
            form.service = staticmethod(lambda data: self.save_through(request, obj, data))
        return form

    def save_model(self, request, obj, form, change):
        _adopt(obj, form.saved)


# --- Incidents --------------------------------------------------------------------------------
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
        "number",
        "title",
        "severity",
        "status",
        "source_category",
        "opened_at",
        "is_drill",
        "war_room",
    ]
    list_display_links = ["number", "title"]
    list_filter = ["status", "severity", "source_category", AgeFilter, "is_drill"]
    search_fields = ["title", "summary"]
    ordering = ["-opened_at"]

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
        except (DomainError, PermissionDenied) as exc:
            self.message_user(request, getattr(exc, "message", str(exc)), messages.ERROR)
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

        if self._service(request, call, _("Incident opened from the alert.")):
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
            "title": f"War room · #{incident.number} {incident.title}",
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
            done = self._service(request, calls[action], _("Done."))
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


# --- Roster ---------------------------------------------------------------------------------
class RosterMemberForm(ServiceForm):
    user_email = forms.EmailField(
        required=False, help_text=_("For agency staff or client people with access.")
    )

    class Meta:
        model = RosterMember
        fields = ["role", "name", "email", "phone", "organisation", "backup", "is_active", "notes"]


@admin.register(RosterMember, site=brand_admin_site)
class RosterMemberAdmin(ServiceFormAdminMixin, StaffOnlyAdmin):
    form = RosterMemberForm
    list_display = ["name", "role", "organisation", "email", "phone", "backup", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["name", "email", "organisation"]
    list_select_related = ["backup"]

    def get_readonly_fields(self, request, obj=None):
        return ["role"] if obj else []

    def save_through(self, request, obj, data):
        if obj is None:
            return team_services.roster_member_add(
                actor=request.user,
                role=data["role"],
                name=data.get("name", ""),
                user_email=data.get("user_email") or "",
                email=data.get("email", ""),
                phone=data.get("phone", ""),
                organisation=data.get("organisation", ""),
                backup_id=data["backup"].pk if data.get("backup") else None,
                notes=data.get("notes", ""),
            )
        return team_services.roster_member_update(
            member_id=obj.pk,
            actor=request.user,
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            organisation=data["organisation"],
            backup_id=data["backup"].pk if data.get("backup") else None,
            is_active=data["is_active"],
            notes=data["notes"],
        )

    def save_related(self, request, form, formsets, change):
        pass


# --- Responses and templates -------------------------------------------------------------------
class ResponseTemplateForm(ServiceForm):
    class Meta:
        model = ResponseTemplate
        fields = ["name", "language", "situation", "kind", "body", "is_active"]

    def clean_body(self):
        body = self.cleaned_data["body"]
        errors = validate_template(body)
        if errors:
            raise forms.ValidationError(errors)
        return body


@admin.register(ResponseTemplate, site=brand_admin_site)
class ResponseTemplateAdmin(ServiceFormAdminMixin, StaffOnlyAdmin):
    form = ResponseTemplateForm
    list_display = ["name", "language", "situation", "kind", "is_active", "updated_at"]
    list_filter = ["language", "situation", "kind", "is_active"]
    search_fields = ["name", "body"]
    change_list_template = "incidents/crisis/responsetemplate_change_list.html"

    def get_urls(self):
        return [
            path(
                "load-defaults/",
                self.brand_view(require_POST(self.load_defaults_view), permission="workspace.write"),
                name="incidents_responsetemplate_load_defaults",
            ),
            *super().get_urls(),
        ]

    def load_defaults_view(self, request):
        added = {}

        def call():
            added["n"] = response_template_library.response_templates_seed_defaults(actor=request.user)

        if self._service(request, call):
            self.message_user(
                request, _("Added %(n)d default templates.") % {"n": added["n"]}, messages.SUCCESS
            )
        return HttpResponseRedirect(reverse("admin:incidents_responsetemplate_changelist"))

    def save_through(self, request, obj, data):
        return response_services.response_template_save(
            actor=request.user,
            template_id=obj.pk if obj else None,
            **{k: data[k] for k in ResponseTemplateForm.Meta.fields},
        )


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
            if self._service(request, lambda pk=pk: service(response_id=pk, actor=request.user)):
                count += 1
        if count:
            self.message_user(request, f"{done}: {count}.")

    @brand_action(permission="workspace.write", description=_("Submit selected drafts"))
    def submit(self, request, queryset):
        self._each(request, queryset, response_services.response_submit, _("Submitted"))

    @brand_action(permission="workspace.write", description=_("Approve selected responses"))
    def approve(self, request, queryset):
        self._each(request, queryset, response_services.response_approve, _("Approved"))


# --- Moderation ---------------------------------------------------------------------------------
class ModerationForm(ServiceForm):
    rule_number = forms.IntegerField(
        min_value=1, help_text=_("The rule of the current community guidelines.")
    )

    class Meta:
        model = ModerationAction
        fields = ["mention", "action", "incident", "reason", "public_explanation"]


@admin.register(ModerationAction, site=brand_admin_site)
class ModerationActionAdmin(ServiceFormAdminMixin, BrandModelAdmin):
    """The moderation log: every role reads it (clients too), staff add to it, nobody edits it."""

    form = ModerationForm
    list_display = [
        "at",
        "action",
        "author_handle",
        "platform",
        "rule_display",
        "reason",
        "actor_label",
        "carried_out_at",
    ]
    list_filter = ["action", choices_filter("platform", _("platform"), platform_choices)]
    search_fields = ["author_handle", "reason"]
    list_select_related = ["rule__version"]
    raw_id_fields = ["mention", "incident"]

    @admin.display(description=_("rule"))
    def rule_display(self, obj: ModerationAction) -> str:
        return f"v{obj.rule.version.version} · {obj.rule.number}. {obj.rule.title}"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self._role(request) in BrandGrant.CLIENT_ROLES:
            qs = qs.exclude(incident__is_drill=True)
        return qs

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_through(self, request, obj, data):
        return moderation_services.moderation_act(
            actor=request.user,
            mention_id=data["mention"].pk,
            action=data["action"],
            rule_number=data["rule_number"],
            reason=data["reason"],
            public_explanation=data.get("public_explanation", ""),
            incident_id=data["incident"].pk if data.get("incident") else None,
        )


class GuidelinesForm(forms.ModelForm):
    rules_text = forms.CharField(
        label=_("rules"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("One rule per line, as 'Title: explanation'. Rules are numbered in this order."),
    )
    service = None

    class Meta:
        model = GuidelineVersion
        fields = ["intro", "change_note"]

    def clean(self):
        cleaned = super().clean()
        rules = []
        for line in (cleaned.get("rules_text") or "").splitlines():
            if line.strip():
                title, _sep, text = line.partition(":")
                rules.append({"title": title.strip(), "text": text.strip()})
        try:
            self.saved = self.service({**cleaned, "rules": rules})
        except DomainError as exc:
            _form_error(self, exc)
        except PermissionDenied as exc:
            self.add_error(None, str(exc))
        return cleaned


class GuidelineRuleInline(admin.TabularInline):
    model = GuidelineRule
    fields = ["number", "title", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        return True


@admin.register(GuidelineVersion, site=brand_admin_site)
class GuidelineVersionAdmin(ServiceFormAdminMixin, BrandModelAdmin):
    """Every role reads the guidelines; staff publish a new version (none is edited)."""

    list_display = ["version", "change_note", "created_at"]
    inlines = [GuidelineRuleInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, **kwargs)
        kwargs["form"] = GuidelinesForm
        return super().get_form(request, obj, **kwargs)

    def save_through(self, request, obj, data):
        return moderation_services.guidelines_publish(
            actor=request.user,
            rules=data["rules"],
            intro=data.get("intro", ""),
            change_note=data.get("change_note", ""),
        )

    def get_fields(self, request, obj=None):
        return ["intro", "change_note", "rules_text"] if obj is None else ["version", "intro", "change_note"]

    def get_readonly_fields(self, request, obj=None):
        return ["version", "intro", "change_note"] if obj else []

    def get_changeform_initial_data(self, request):
        current = moderation_services.guidelines_current()
        if current is None:
            return {}
        return {
            "intro": current.intro,
            "rules_text": "\n".join(f"{r.title}: {r.text}" for r in current.rules.all()),
        }


# --- Crisis plan, settings, drills ----------------------------------------------------------------
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


# The report's per-severity targets; left empty, a target keeps its current value.
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
            "reviews_need_client_sign_off",
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
        from incidents.services._common import crisis_settings_get

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


class DrillScenarioForm(ServiceForm):
    class Meta:
        model = DrillScenario
        fields = ["title", "description", "severity", "source_category", "injects"]


@admin.register(DrillScenario, site=brand_admin_site)
class DrillScenarioAdmin(ServiceFormAdminMixin, StaffOnlyAdmin):
    form = DrillScenarioForm
    list_display = ["title", "severity", "source_category", "created_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_through(self, request, obj, data):
        return drill_services.drill_scenario_create(
            actor=request.user, **{k: data[k] for k in DrillScenarioForm.Meta.fields}
        )


class DrillForm(forms.ModelForm):
    service = None

    class Meta:
        model = Drill
        fields = ["scenario", "scheduled_for", "debrief"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.saved = self.service(cleaned)
            except DomainError as exc:
                _form_error(self, exc)
            except PermissionDenied as exc:
                self.add_error(None, str(exc))
        return cleaned


@admin.register(Drill, site=brand_admin_site)
class DrillAdmin(ServiceFormAdminMixin, StaffOnlyAdmin):
    """Schedule a drill; it starts on time (or now, by action); write the debrief to finish it."""

    form = DrillForm
    list_display = ["scenario", "scheduled_for", "state", "incident_link", "finished_at"]
    list_filter = ["state"]
    list_select_related = ["scenario", "incident"]
    actions = ["start_now"]

    @admin.display(description=_("incident"))
    def incident_link(self, obj: Drill) -> str:
        if not obj.incident_id:
            return "—"
        return format_html(
            '<a href="{}">#{}</a>',
            reverse("admin:incidents_incident_war_room", args=[obj.incident_id]),
            obj.incident.number,
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
            self._service(request, lambda pk=pk: drill_services.drill_start(drill_id=pk, actor=request.user))
        self.message_user(request, _("Started."))
