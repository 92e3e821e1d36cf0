"""Two admin sites: the agency admin on the main host (agencies, brands, domains, grants, keys)
and the brand admin on each brand host, whose access follows the user's BrandGrant role, never
global model permissions or superuser status."""

import functools
from datetime import timedelta

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminPasswordChangeForm, AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.timesince import timesince
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from tenants.admin_lists import BigListAdminMixin
from tenants.links import brand_url
from tenants.models import Brand, BrandGrant, BrandHealth
from tenants.passwords import PasswordChangeView
from tenants.portfolio import portfolio_row
from tenants.roles import request_role, role_can, roles_with
from tenants.selectors import (
    PORTFOLIO_DEFAULT_ORDERING,
    agency_ids_for_user,
    brand_list_for_user,
    portfolio_brand_list,
    portfolio_ordering_valid,
)
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
        # Every model's module check asks again while one page renders: one query per request.
        # Keyed by the user, so signing in or out during the request asks afresh.
        cached = getattr(request, "_agency_admin_admits", None)
        if cached is None or cached[0] != request.user.pk:
            cached = request._agency_admin_admits = (request.user.pk, agency_admin_admits(request.user))
        return cached[1]

    def get_urls(self):
        return [
            path("portfolio/", self.admin_view(self.portfolio_view), name="portfolio"),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "dashboard_sections": [_portfolio_section(request)]}
        return super().index(request, extra_context)

    def portfolio_view(self, request):
        """Every brand of the user's agencies (all brands for a platform superuser) with its health
        figures, sorted by `?o=<column>` ("-" for descending). Reads public rows only."""
        ordering = request.GET.get("o", PORTFOLIO_DEFAULT_ORDERING)
        unknown_ordering = not portfolio_ordering_valid(ordering)
        if unknown_ordering:
            ordering = PORTFOLIO_DEFAULT_ORDERING
        brands = portfolio_brand_list(agency_ids=agency_ids_for_user(user=request.user), ordering=ordering)
        report_path = reverse(REPORTS_HOME_URL_NAME, urlconf="platform.urls_tenant")
        now = timezone.now()
        rows = [
            _portfolio_display(portfolio_row(request, b, report_path=report_path, now=now), now)
            for b in brands
        ]
        context = {
            **self.each_context(request),
            "title": _("Portfolio"),
            "rows": rows,
            "columns": _portfolio_columns(ordering),
            "labels": {key: label for key, label, _first in _PORTFOLIO_COLUMNS},
            "ordering": ordering,
            "unknown_ordering": unknown_ordering,
            "show_agency": len({row["agency"] for row in rows}) > 1,
        }
        request.current_app = self.name
        return TemplateResponse(request, "tenants/portfolio.html", context)


# (ordering key, column heading, the direction a first click sorts in: worst or soonest first)
_PORTFOLIO_COLUMNS = [
    ("brand", _("Brand"), ""),
    ("open_incidents", _("Open incidents"), "-"),
    ("alerts_24h", _("Alerts, 24 h"), "-"),
    ("negative_share_change", _("Negative share now vs usual"), "-"),
    ("unanswered_complaints", _("Unanswered complaints"), "-"),
    ("csat_30d", _("CSAT, 30 days"), ""),
    ("next_client_update_at", _("Next client update"), ""),
    ("computed_at", _("Updated"), ""),
]


def _portfolio_columns(ordering: str) -> list[dict]:
    current, descending = ordering.removeprefix("-"), ordering.startswith("-")
    columns = []
    for key, label, first in _PORTFOLIO_COLUMNS:
        if key == current:
            link = key if descending else f"-{key}"
            sort = "descending" if descending else "ascending"
        else:
            link, sort = f"{first}{key}", ""
        columns.append({"key": key, "label": label, "link": link, "sort": sort})
    return columns


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def _portfolio_display(row: dict, now) -> dict:
    """The row's figures as the page prints them (times in the brand's zone, shares in percent)."""
    change = row["negative_share_change"]
    row["negative_now_display"] = _percent(row["negative_share_now"])
    row["negative_baseline_display"] = _percent(row["negative_share_baseline"])
    row["negative_change_display"] = (
        ""
        if change is None
        else gettext("%(sign)s%(points)s pts")
        % {"sign": "+" if change > 0 else "", "points": round(change * 100)}
    )
    row["worse_than_usual"] = change is not None and change >= 0.05
    row["csat_display"] = "–" if row["csat_30d"] is None else f"{row['csat_30d']:.0f}%"
    deadline, computed = row["next_client_update_at"], row["computed_at"]
    row["deadline_display"] = formats.date_format(deadline, "j M H:i T") if deadline else ""
    row["deadline_overdue"] = bool(deadline and deadline < now)
    if computed is None:
        row["computed_display"] = ""
    elif now - computed < timedelta(minutes=1):
        row["computed_display"] = gettext("just now")
    else:
        row["computed_display"] = gettext("%(age)s ago") % {"age": timesince(computed, now)}
    return row


def _portfolio_section(request) -> str:
    """The agency admin home's pointer to the portfolio, with how many brands need attention."""
    agency_ids = agency_ids_for_user(user=request.user)
    brands = Brand.objects.ready()
    if agency_ids is not None:
        brands = brands.filter(agency_id__in=agency_ids)
    rows = BrandHealth.objects.filter(brand__in=brands)
    figures = rows.aggregate(
        brands=Count("pk"),
        severe=Count("pk", filter=Q(open_critical__gt=0) | Q(open_high__gt=0)),
    )
    summary = (
        ngettext(
            "%(severe)d of %(brands)d brand has an open SEV1 or SEV2 incident.",
            "%(severe)d of %(brands)d brands have an open SEV1 or SEV2 incident.",
            figures["brands"],
        )
        % figures
    )
    return format_html(
        '<div class="module portfolio-pointer"><p><a href="{}"><strong>{}</strong></a> · {}</p></div>',
        reverse("agency_admin:portfolio"),
        gettext("Portfolio: every brand's health at a glance"),
        summary,
    )


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Apps add their part of the brand's home page here (tenants imports no other app):
        # each is called with the request and returns HTML, or "" to show nothing.
        self.dashboard_sections: list = []

    def add_dashboard_section(self, section) -> None:
        if section not in self.dashboard_sections:
            self.dashboard_sections.append(section)

    def has_permission(self, request) -> bool:
        return bool(request.user.is_active and getattr(request, "brand_role", None))

    def _build_app_dict(self, request, label=None):
        # Every admin page lists the apps in its sidebar, sorted by model name; the names are lazy
        # translations, and sorting lazy strings translates both sides of every comparison.
        # Translated once here, the sort compares plain strings.
        app_dict = super()._build_app_dict(request, label)
        for app in app_dict.values():
            for model in app["models"]:
                model["name"] = str(model["name"])
        return app_dict

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
        sections = [section(request) for section in self.dashboard_sections]
        extra_context = {**(extra_context or {}), "dashboard_sections": [s for s in sections if s]}
        return super().index(request, extra_context)


agency_admin_site = AgencyAdminSite(name="agency_admin")
brand_admin_site = BrandAdminSite(name="admin")


class BrandPermissionMixin:
    """Admin permissions read from the role matrix (tenants/roles.py) for the role of request.user
    on request.tenant; global model permissions and superuser status play no part."""

    view_permission = "brand.read"
    add_permission = "workspace.write"
    change_permission = "workspace.write"
    delete_permission = "workspace.delete"

    def _role(self, request):
        return request_role(request)

    def _can(self, request, permission: str | None) -> bool:
        return permission is not None and role_can(self._role(request), permission)

    def has_view_permission(self, request, obj=None) -> bool:
        return self._can(request, self.view_permission)

    def has_add_permission(self, request, *args) -> bool:
        return self._can(request, self.add_permission)

    def has_change_permission(self, request, obj=None) -> bool:
        return self._can(request, self.change_permission)

    def has_delete_permission(self, request, obj=None) -> bool:
        return self._can(request, self.delete_permission)


def brand_action(*, permission: str, description):
    """An admin action that needs `permission` of the role matrix: hidden from roles without it,
    and refused with 403 if they post it anyway (BrandModelAdmin.changelist_view)."""
    roles_with(permission)  # an unknown name fails at import, not at the first request

    def decorator(func):
        @functools.wraps(func)
        def checked(modeladmin, request, queryset):
            if not role_can(request_role(request), permission):
                raise PermissionDenied
            return func(modeladmin, request, queryset)

        checked.brand_permission = permission
        return admin.action(description=description)(checked)

    return decorator


class BrandModelAdmin(BigListAdminMixin, BrandPermissionMixin, admin.ModelAdmin):
    """Base for every model in the brand admin. Each page, form, action and custom view declares the
    permission it needs (`view_permission`, `add_permission`, `change_permission`,
    `delete_permission`, `@brand_action(permission=…)`, `brand_view(…, permission=…)`). Its
    change lists never count the table (tenants.admin_lists)."""

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def history_view(self, request, object_id, extra_context=None):
        # Django looks the object up first and redirects when it is missing, so a role that may not
        # read the model would learn which ids exist; the role is checked before the lookup.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def _filter_actions_by_permissions(self, request, actions):
        # Django's hook for `allowed_permissions`; a brand action names a matrix row instead.
        allowed = []
        for action in actions:
            permission = getattr(action[0], "brand_permission", None)
            if permission is None:
                allowed += super()._filter_actions_by_permissions(request, [action])
            elif role_can(self._role(request), permission):
                allowed.append(action)
        return allowed

    def changelist_view(self, request, extra_context=None):
        # Django drops an action the role may not run from the choices and answers "no action
        # selected"; a posted one is refused outright so a forged form is a 403, not a quiet no-op.
        # (Both action forms of the page post an "action"; any of them may be the one that runs.)
        posted = set(request.POST.getlist("action")) - {""} if request.method == "POST" else set()
        if (posted - set(self.get_actions(request))) & {n for _f, n, _d in self._get_base_actions()}:
            raise PermissionDenied
        return super().changelist_view(request, extra_context)

    def brand_view(self, view, *, permission: str):
        """Wrap a custom admin view (from get_urls) so the matrix is checked before it runs."""
        roles_with(permission)

        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            if not role_can(self._role(request), permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped = self.admin_site.admin_view(checked)
        wrapped.brand_permission = permission
        return wrapped


class ReadOnlyBrandModelAdmin(BrandModelAdmin):
    """A record written only by services (mentions, delivery logs, notifications): every granted
    role reads it, nobody adds, edits or deletes it here."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
