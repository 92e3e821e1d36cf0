"""Brand admin for the response-template library: templates responses are drafted from, and the
default library a brand can load."""

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from incidents.admin.base import StaffOnlyAdmin
from incidents.models import ResponseTemplate
from incidents.services import responses as response_services
from incidents.services import template_library as response_template_library
from incidents.templating import validate_template
from tenants.admin_services import ServiceForm, ServiceFormAdminMixin, admin_service_call
from tenants.admin_sites import brand_admin_site


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

        if admin_service_call(self, request, call):
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
