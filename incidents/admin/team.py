"""Brand admin for the crisis team: the roster of the people who can be assigned to incidents."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from incidents.admin.base import StaffOnlyAdmin
from incidents.models import RosterMember
from incidents.services import team as team_services
from tenants.admin_services import ServiceForm, ServiceFormAdminMixin
from tenants.admin_sites import brand_admin_site


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
