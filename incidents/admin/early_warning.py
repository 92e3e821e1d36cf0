"""Brand admin: mentions (read-only), alerts with acknowledge/dismiss actions, detector settings,
webhook subscriptions and their delivery log, and the user's own notifications. Every change goes
through the same services as the API; user-supplied text is always escaped."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from incidents.models import (
    Alert,
    ContactEmail,
    DetectorSettings,
    Incident,
    Mention,
    Notification,
    WebhookDelivery,
    WebhookSubscription,
)
from incidents.permissions import care_can
from incidents.selectors_early_warning import mention_search
from incidents.services.alerts import alert_acknowledge, alert_dismiss
from incidents.services.incidents import incident_open_from_alert
from incidents.services.intake import detector_settings_update, mention_mark_answered
from incidents.services.notifications import (
    contact_emails_retry_failed,
    notification_emails_retry_failed,
    notification_mark_read,
)
from incidents.services.one_crisis import alert_reopen, incident_alert_attach
from incidents.services.webhooks import (
    EVENTS,
    webhook_delivery_retry,
    webhook_events_check,
    webhook_ping,
    webhook_subscription_create,
    webhook_subscription_rotate_secret,
    webhook_subscription_update,
    webhook_url_check,
)
from tenants.admin_lists import choices_filter
from tenants.admin_sites import BrandModelAdmin, ReadOnlyBrandModelAdmin, brand_action, brand_admin_site
from tenants.errors import DomainError
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


# --- Alerts ---------------------------------------------------------------------------------------
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
            try:
                action(pk)
                count += 1
            except (DomainError, PermissionDenied) as exc:
                self.message_user(request, getattr(exc, "message", None) or str(exc), messages.WARNING)
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
        incident = Incident.objects.filter(number=int(number)).first() if number.isdigit() else None
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


# --- Detector settings ----------------------------------------------------------------------------
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


# --- Webhooks ----------------------------------------------------------------------------------------
class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(max_length=2000, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=[("*", _("Every event"))] + [(e, e) for e in EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookSubscription
        fields = ["name", "url", "events", "is_active"]

    def clean(self):
        # The service checks these again; checking here shows the message on the form.
        cleaned = super().clean()
        for name, check in (("url", webhook_url_check), ("events", webhook_events_check)):
            if cleaned.get(name) is not None:
                try:
                    cleaned[name] = check(cleaned[name])
                except DomainError as exc:
                    self.add_error(name, exc.message)
        return cleaned


@admin.register(WebhookSubscription, site=brand_admin_site)
class WebhookSubscriptionAdmin(BrandModelAdmin):
    view_permission = "workspace.read"
    form = WebhookSubscriptionForm
    list_display = ["name", "url", "events", "is_active", "secret_hint", "created_at"]
    readonly_fields = ["secret_hint", "created_at"]
    actions = ["rotate_secret", "send_ping"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Switched off with "is active", never deleted: its delivery log is kept (and the admin
        # would refuse the cascade anyway, as nobody may delete deliveries).
        return False

    def save_model(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in ("name", "url", "events")}
        try:
            if change:
                saved = webhook_subscription_update(
                    subscription_id=obj.pk, is_active=form.cleaned_data["is_active"], **data
                )
            else:
                saved, secret = webhook_subscription_create(created_by=request.user, **data)
                # Shown once; afterwards only the first characters are displayed.
                self.message_user(
                    request,
                    format_html(
                        "Signing secret (copy it now, it is not shown again): <code>{}</code>", secret
                    ),
                    messages.WARNING,
                )
        except DomainError as exc:  # the form checked the same rules; this is a race at most
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.pk = saved.pk

    @brand_action(permission="workspace.write", description=_("Rotate the signing secret"))
    def rotate_secret(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            subscription, secret = webhook_subscription_rotate_secret(subscription_id=pk)
            self.message_user(
                request,
                format_html("New secret for {} (copy it now): <code>{}</code>", subscription.name, secret),
                messages.WARNING,
            )

    @brand_action(permission="workspace.write", description=_("Send a test ping"))
    def send_ping(self, request, queryset):
        count = sum(webhook_ping(subscription_id=pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"Queued {count} ping(s); see the delivery log.")


@admin.register(WebhookDelivery, site=brand_admin_site)
class WebhookDeliveryAdmin(ReadOnlyBrandModelAdmin):
    view_permission = "workspace.read"
    list_display = [
        "created_at",
        "event",
        "subscription",
        "status",
        "attempts",
        "last_status_code",
        "delivered_at",
    ]
    list_filter = ["status", choices_filter("event", _("event"), [(e, e) for e in EVENTS]), "subscription"]
    list_select_related = ["subscription"]
    readonly_fields = [
        "subscription",
        "event",
        "status",
        "attempts",
        "attempt_log",
        "last_status_code",
        "next_attempt_at",
        "delivered_at",
        "created_at",
        "payload",
    ]
    actions = ["retry_now"]

    @brand_action(permission="workspace.write", description=_("Retry failed deliveries now"))
    def retry_now(self, request, queryset):
        for pk in queryset.filter(status=WebhookDelivery.Status.FAILED).values_list("pk", flat=True):
            webhook_delivery_retry(delivery_id=pk)
        self.message_user(request, _("Failed deliveries queued again."))


# --- Notifications ----------------------------------------------------------------------------------
@admin.register(Notification, site=brand_admin_site)
class NotificationAdmin(ReadOnlyBrandModelAdmin):
    """The signed-in user's own notifications on this brand."""

    list_display = ["created_at", "subject_html", "link_html", "read_at", "outbox_state", "outbox_error"]
    list_filter = [("read_at", admin.EmptyFieldListFilter), "outbox_state"]
    readonly_fields = [
        "subject_html",
        "body_html",
        "link",
        "created_at",
        "read_at",
        "emailed_at",
        "outbox_state",
        "outbox_attempts",
        "outbox_error",
    ]
    actions = ["mark_read", "retry_failed_emails"]

    @brand_action(permission="workspace.write", description=_("Retry failed emails"))
    def retry_failed_emails(self, request, queryset):
        count = notification_emails_retry_failed(notification_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)d failed email(s) queued again.") % {"count": count})

    def get_queryset(self, request):
        return super().get_queryset(request).filter(user_id=request.user.pk)

    @admin.display(description=_("subject"))
    def subject_html(self, obj: Notification) -> str:
        return obj.subject_text  # in the reader's language and zone

    @admin.display(description=_("body"))
    def body_html(self, obj: Notification) -> str:
        return obj.body_text

    @admin.display(description=_("link"))
    def link_html(self, obj: Notification) -> str:
        if not obj.link.startswith(("https://", "http://", "/")):
            return obj.link
        return format_html('<a href="{}">{}</a>', obj.link, _("Open"))

    @brand_action(permission="notifications.own", description=_("Mark as read"))
    def mark_read(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            notification_mark_read(notification_id=pk, user=request.user)


# --- Emails to outside contacts ---------------------------------------------------------------------
@admin.register(ContactEmail, site=brand_admin_site)
class ContactEmailAdmin(ReadOnlyBrandModelAdmin):
    """Emails to crisis contacts without an account: their delivery state, and a retry for the
    ones that failed for good. Only staff see them (they carry outside addresses)."""

    list_display = ["created_at", "subject", "outbox_state", "outbox_attempts", "outbox_error", "sent_at"]
    list_filter = ["outbox_state"]
    readonly_fields = [
        "subject",
        "body",
        "recipients",
        "created_at",
        "sent_at",
        "outbox_state",
        "outbox_attempts",
        "outbox_error",
    ]
    actions = ["retry_failed_emails"]
    view_permission = "workspace.read"

    @brand_action(permission="workspace.write", description=_("Retry failed emails"))
    def retry_failed_emails(self, request, queryset):
        count = contact_emails_retry_failed(contact_email_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, _("%(count)d failed email(s) queued again.") % {"count": count})
