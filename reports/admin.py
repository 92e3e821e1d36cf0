"""Report schedules and their delivery log in the brand admin. Owners, admins and crisis managers
(`reports.schedule`) set them up; every staff role reads them. Writes go through reports.schedules."""

from django import forms
from django.contrib import admin, messages
from django.db import connection
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from reports import schedules
from reports.models import ReportDelivery, ReportSchedule
from tenants.admin_lists import choices_filter
from tenants.admin_services import form_add_service_error
from tenants.admin_sites import BrandModelAdmin, ReadOnlyBrandModelAdmin, brand_action, brand_admin_site
from tenants.errors import DomainError
from tenants.selectors import brand_client_contacts


class ReportScheduleForm(forms.ModelForm):
    recipients = forms.TypedMultipleChoiceField(
        label=_("client contacts"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("People with a client grant on this brand; each gets the report in their own language."),
    )
    extra = forms.CharField(
        label=_("extra addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 40}),
        help_text=_("One a line; they get the report in the brand's default language."),
    )

    class Meta:
        model = ReportSchedule
        fields = ["name", "frequency", "send_hour", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.brand = connection.tenant
        self.fields["recipients"].choices = [
            (u.pk, f"{u.get_full_name()} <{u.email}>") for u in brand_client_contacts(brand=self.brand)
        ]
        if self.instance.pk:
            self.initial["recipients"] = self.instance.recipient_ids
            self.initial["extra"] = "\n".join(self.instance.extra_emails)

    def clean(self):
        data = super().clean()
        try:
            self.checked = schedules.schedule_input_clean(
                brand=self.brand,
                name=data.get("name", ""),
                frequency=data.get("frequency", ""),
                send_hour=data.get("send_hour", 0),
                recipient_ids=data.get("recipients") or [],
                extra_emails=data.get("extra") or "",
            )
        except DomainError as exc:
            # The message only says to look at the fields; the fields say what is wrong.
            form_add_service_error(
                self,
                exc,
                field_names={"recipient_ids": "recipients", "extra_emails": "extra"},
                show_message=False,
            )
        return data


@admin.register(ReportSchedule, site=brand_admin_site)
class ReportScheduleAdmin(BrandModelAdmin):
    view_permission = "workspace.read"
    add_permission = change_permission = delete_permission = "reports.schedule"
    form = ReportScheduleForm
    list_display = ["name", "frequency", "send_hour", "recipient_count", "active", "last_period_start"]
    list_filter = ["frequency", "active"]
    fields = ["name", "frequency", "send_hour", "recipients", "extra", "active", "last_period_start"]
    readonly_fields = ["last_period_start"]
    actions = ["send_now"]

    # Shown instead of the form's fields to roles that may only read the schedule.
    @admin.display(description=_("client contacts"))
    def recipients(self, obj) -> str:
        names = dict(brand_client_contacts(brand=connection.tenant).values_list("pk", "email"))
        return ", ".join(names.get(pk, "?") for pk in obj.recipient_ids) or "–"

    @admin.display(description=_("extra addresses"))
    def extra(self, obj) -> str:
        return ", ".join(obj.extra_emails) or "–"

    @admin.display(description=_("recipients"))
    def recipient_count(self, obj) -> int:
        return len(obj.recipient_ids) + len(obj.extra_emails)

    def save_model(self, request, obj, form, change):
        saved = schedules.schedule_save(
            brand=request.tenant,
            schedule=obj if change else None,
            active=form.cleaned_data.get("active", True),
            **{k: v for k, v in form.checked.items()},
        )
        obj.pk = saved.pk

    @brand_action(permission="reports.schedule", description=_("Send the last complete period's report now"))
    def send_now(self, request, queryset):
        queued = schedules.schedules_queue_due(
            schedule_ids=list(queryset.values_list("pk", flat=True)), ignore_hour=True
        )
        self.message_user(
            request,
            ngettext(
                "%(n)d report queued (a period already sent is never sent again).",
                "%(n)d reports queued (a period already sent is never sent again).",
                queued,
            )
            % {"n": queued},
            messages.SUCCESS,
        )


@admin.register(ReportDelivery, site=brand_admin_site)
class ReportDeliveryAdmin(ReadOnlyBrandModelAdmin):
    view_permission = "workspace.read"
    list_display = [
        "email",
        "period_start",
        "period_end",
        "language",
        "outbox_state",
        "sent_at",
        "outbox_error",
    ]
    # The kinds a schedule queues (schedule_period): fixed choices, not a SELECT DISTINCT.
    list_filter = [
        "outbox_state",
        choices_filter("period_key", _("period kind"), [("week", _("Week")), ("month", _("Month"))]),
        "language",
    ]
    search_fields = ["email"]
    list_select_related = ["schedule"]
    actions = ["retry_failed"]

    @brand_action(permission="reports.schedule", description=_("Try failed deliveries again"))
    def retry_failed(self, request, queryset):
        count = schedules.report_deliveries_retry_failed(
            delivery_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(
            request,
            ngettext("%(n)d delivery queued again.", "%(n)d deliveries queued again.", count) % {"n": count},
            messages.SUCCESS,
        )
