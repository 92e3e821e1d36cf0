"""Brand admin for moderation: the moderation log (client people read it too; nobody edits it)
and the community guidelines its actions cite (every role reads them; staff publish versions)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from incidents.models import GuidelineRule, GuidelineVersion, ModerationAction
from incidents.services import moderation as moderation_services
from tenants.admin_lists import choices_filter
from tenants.admin_services import ServiceForm, ServiceFormAdminMixin
from tenants.admin_sites import BrandModelAdmin, brand_admin_site
from tenants.models import BrandGrant
from tenants.platforms import platform_choices


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


class GuidelinesForm(ServiceForm):
    rules_text = forms.CharField(
        label=_("rules"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_("One rule per line, as 'Title: explanation'. Rules are numbered in this order."),
    )

    class Meta:
        model = GuidelineVersion
        fields = ["intro", "change_note"]

    def service_data(self, cleaned: dict) -> dict:
        rules = []
        for line in (cleaned.get("rules_text") or "").splitlines():
            if line.strip():
                title, _sep, text = line.partition(":")
                rules.append({"title": title.strip(), "text": text.strip()})
        return {**cleaned, "rules": rules}


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
