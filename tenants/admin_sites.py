"""Two admin sites: the agency admin on the main host (agencies, brands, domains, grants, keys)
and the brand admin on each brand host, whose access follows the user's BrandGrant role, never
global model permissions or superuser status."""

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminPasswordChangeForm, AuthenticationForm
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tenants.links import brand_url
from tenants.models import BrandGrant
from tenants.passwords import PasswordChangeView
from tenants.selectors import brand_list_for_user
from tenants.two_factor import TwoFactorLoginMixin

# The client's home on a brand host: the report pages.
REPORTS_HOME_URL_NAME = "incident-report-list"


def agency_admin_admits(user) -> bool:
    """Platform superusers and agency owners/admins use the agency admin; is_staff plays no part."""
    if not (user.is_active and user.is_authenticated):
        return False
    return user.is_superuser or user.agency_memberships.exists()


class _AgencyLoginForm(TwoFactorLoginMixin, AuthenticationForm):
    """Admits exactly whom the agency admin site admits (Django's default form wants is_staff,
    which agency members do not have). Someone with brand grants only is told where to go."""

    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)  # refuses inactive accounts
        if agency_admin_admits(user):
            return
        brands = list(brand_list_for_user(user=user))
        if brands:
            # The password was right, so naming the user's own brands reveals nothing to a guesser.
            links = format_html_join(
                ", ", '<a href="{}">{}</a>', ((brand_url(self.request, b, "/"), b.name) for b in brands)
            )
            message = format_html(
                gettext("This account is not an agency member. Sign in on your brand's address: {}"), links
            )
            raise forms.ValidationError(message, code="not_agency_member")
        raise forms.ValidationError(
            _("This account is not an agency member and has no brand. Ask your agency for access."),
            code="not_agency_member",
        )


class _AuditedPasswordChange:
    """The site's change-password page, with the change on the audit trail."""

    def password_change(self, request, extra_context=None):
        # Django's own AdminSite.password_change, with the audited view.
        defaults = {
            "form_class": AdminPasswordChangeForm,
            "success_url": reverse("admin:password_change_done", current_app=self.name),
            "extra_context": {**self.each_context(request), **(extra_context or {})},
        }
        if self.password_change_template is not None:
            defaults["template_name"] = self.password_change_template
        request.current_app = self.name
        return PasswordChangeView.as_view(**defaults)(request)


class AgencyAdminSite(_AuditedPasswordChange, admin.AdminSite):
    site_header = _("Tanggap · agency admin")
    site_title = _("Tanggap agency admin")
    index_title = _("Agencies and brands")
    login_form = _AgencyLoginForm
    login_template = "tenants/login.html"

    def has_permission(self, request) -> bool:
        return agency_admin_admits(request.user)


class _BrandLoginForm(TwoFactorLoginMixin, AuthenticationForm):
    """Any active user may sign in on a brand host; the grant check decides what follows."""

    def confirm_login_allowed(self, user) -> None:
        if not user.is_active:
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")


class BrandAdminSite(_AuditedPasswordChange, admin.AdminSite):
    site_header = _("Tanggap · brand workspace")
    site_title = _("Tanggap brand workspace")
    index_title = _("Crisis work")
    login_form = _BrandLoginForm
    login_template = "tenants/login.html"

    def has_permission(self, request) -> bool:
        return bool(request.user.is_active and getattr(request, "brand_role", None))

    def each_context(self, request):
        context = super().each_context(request)
        tenant = getattr(request, "tenant", None)
        if tenant is not None:
            context["site_header"] = f"{tenant.name} · Tanggap"
        context["brand_role"] = getattr(request, "brand_role", None)
        # "View site" opens the brand's report pages, the site its clients see.
        context["site_url"] = reverse(REPORTS_HOME_URL_NAME)
        return context

    def index(self, request, extra_context=None):
        # Clients work on the report pages; the admin's table list is not their home.
        if getattr(request, "brand_role", None) in BrandGrant.CLIENT_ROLES:
            return redirect(REPORTS_HOME_URL_NAME)
        return super().index(request, extra_context)


agency_admin_site = AgencyAdminSite(name="agency_admin")
brand_admin_site = BrandAdminSite(name="admin")


class BrandModelAdmin(admin.ModelAdmin):
    """Base for every model in the brand admin: every granted role views; staff roles write."""

    staff_roles = BrandGrant.STAFF_ROLES

    def _role(self, request):
        return getattr(request, "brand_role", None)

    def has_module_permission(self, request) -> bool:
        return self._role(request) is not None

    def has_view_permission(self, request, obj=None) -> bool:
        return self._role(request) is not None

    def has_add_permission(self, request) -> bool:
        return self._role(request) in self.staff_roles

    def has_change_permission(self, request, obj=None) -> bool:
        return self._role(request) in self.staff_roles

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._role(request) in {BrandGrant.Role.AGENCY_OWNER, BrandGrant.Role.AGENCY_ADMIN}


class ReadOnlyBrandModelAdmin(BrandModelAdmin):
    """A record written only by services (mentions, delivery logs, notifications): every granted
    role reads it, nobody adds, edits or deletes it here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
