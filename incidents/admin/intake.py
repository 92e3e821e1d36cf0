"""Brand admin for listening: mentions (read-only, with the answered mark) and the detector
settings. Every change goes through the same services as the API; user text is always escaped."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incidents.models import DetectorSettings, Mention
from incidents.permissions import care_can
from incidents.selectors_early_warning import mention_search
from incidents.services.intake import detector_settings_update, mention_mark_answered
from tenants.admin_lists import choices_filter
from tenants.admin_sites import BrandModelAdmin, ReadOnlyBrandModelAdmin, brand_action, brand_admin_site
from tenants.platforms import platform_choices


# --- Mentions ---------------------------------------------------------------------------------------
class AnsweredFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("yes", _("Answered")), ("no", _("Not answered"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(answered_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(answered_at__isnull=True)
        return queryset


@admin.register(Mention, site=brand_admin_site)
class MentionAdmin(ReadOnlyBrandModelAdmin):
    list_display = [
        "posted_at",
        "platform",
        "kind",
        "author_handle",
        "short_text",
        "sentiment_band",
        "is_complaint",
        "is_abuse",
        "is_threat",
        "answered_at",
    ]
    # Choices from the code (platform registry, the project's languages), never a DISTINCT over a
    # brand's million mentions; the count under the list is exact on the last page, else estimated.
    list_filter = [
        choices_filter("platform", _("platform"), platform_choices),
        "kind",
        "sentiment_band",
        "is_complaint",
        "is_question",
        "is_abuse",
        "is_threat",
        AnsweredFilter,
        choices_filter("language", _("language"), lambda: settings.LANGUAGES),
    ]
    # Searched through the trigram index (incidents.selectors_early_warning.mention_search).
    search_fields = ["text"]
    search_help_text = _("Every word, or part of a word, anywhere in the text.")
    ordering = ["-posted_at", "-id"]
    list_per_page = 100
    actions = ["mark_answered"]
    readonly_fields = [f.name for f in Mention._meta.fields]

    def get_queryset(self, request):
        # Customers' direct messages are personal data: only the roles that see care-case contact
        # details read them (incidents.permissions.CARE_MATRIX).
        mentions = super().get_queryset(request)
        if care_can(request.user, "care_contact_details"):
            return mentions
        return mentions.exclude(kind=Mention.Kind.DIRECT_MESSAGE)

    def get_search_results(self, request, queryset, search_term):
        return mention_search(queryset, search_term), False

    @admin.display(description=_("text"))
    def short_text(self, obj: Mention) -> str:
        return obj.text[:140]  # escaped by the admin like every plain string

    @brand_action(permission="workspace.write", description=_("Mark as answered"))
    def mark_answered(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            mention_mark_answered(mention_id=pk)
        self.message_user(request, _("Marked as answered."))


# --- Detector settings ------------------------------------------------------------------------------
@admin.register(DetectorSettings, site=brand_admin_site)
class DetectorSettingsAdmin(BrandModelAdmin):
    view_permission = "workspace.read"
    list_display = ["__str__", "spike_min_count", "spike_ratio", "response_target_minutes", "updated_at"]
    fieldsets = [
        (None, {"fields": ["brand_handles", "alert_cooldown_minutes"]}),
        (
            _("Negative spike"),
            {"fields": ["spike_window_minutes", "spike_baseline_days", "spike_min_count", "spike_ratio"]},
        ),
        (
            _("Rumour"),
            {
                "fields": [
                    "rumour_window_hours",
                    "rumour_min_authors",
                    "rumour_similarity",
                    "rumour_max_texts",
                ]
            },
        ),
        (_("Follower drop"), {"fields": ["follower_drop_pct", "follower_drop_min", "follower_window_hours"]}),
        (
            _("Unanswered complaints"),
            {"fields": ["response_target_minutes", "unanswered_min_count", "unanswered_lookback_hours"]},
        ),
    ]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not DetectorSettings.objects.exists()

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return super().changelist_view(request, extra_context)  # an action: checked there
        # One row per brand: the list would only ever hold it, so go straight to it (or to "add").
        if DetectorSettings.objects.exists():
            return HttpResponseRedirect(reverse("admin:incidents_detectorsettings_change", args=[1]))
        if self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:incidents_detectorsettings_add"))
        return super().changelist_view(request, extra_context)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        saved = detector_settings_update(**values)
        obj.pk, obj.updated_at = saved.pk, saved.updated_at
