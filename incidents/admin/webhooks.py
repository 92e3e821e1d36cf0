"""Brand admin for webhook subscriptions (secret shown once, rotation, ping) and their delivery
log with retry."""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from incidents.models import WebhookDelivery, WebhookSubscription
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
from tenants.admin_services import form_add_service_error, service_refusal_message
from tenants.admin_sites import BrandModelAdmin, ReadOnlyBrandModelAdmin, brand_action, brand_admin_site
from tenants.errors import DomainError


# --- Webhooks ---------------------------------------------------------------------------------------
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
                    form_add_service_error(self, exc, show_message=False)
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
            service_refusal_message(self, request, exc)
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
