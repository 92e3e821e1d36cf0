"""Brand admin for the user's own in-app notifications and the emails sent to outside contacts
(with retry of failed ones)."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from incidents.models import ContactEmail, Notification
from incidents.services.notifications import (
    contact_emails_retry_failed,
    notification_emails_retry_failed,
    notification_mark_read,
)
from tenants.admin_sites import ReadOnlyBrandModelAdmin, brand_action, brand_admin_site


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
