"""The agency admin: agencies, brands (provisioned through the service), domains, grants, keys.
Agency members see their own agency's brands; platform superusers see all."""

from axes.admin import AccessAttemptAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from tenants.admin_sites import agency_admin_site
from tenants.errors import DomainError
from tenants.links import host_url
from tenants.models import Agency, AgencyMembership, Brand, BrandApiKey, BrandGrant, Domain, User
from tenants.selectors import agency_ids_for_user, agency_people_list
from tenants.services import (
    api_key_create,
    api_key_revoke,
    brand_create,
    brand_input_check,
    check_host,
    grant_invite,
    grant_set,
    invitation_path,
)


def _agency_ids(request) -> list[int] | None:
    """None means all (platform superuser); otherwise the agencies the user is a member of."""
    return agency_ids_for_user(user=request.user)


class AgencyScopedAdmin(admin.ModelAdmin):
    agency_path = "agency_id"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = _agency_ids(request)
        return qs if ids is None else qs.filter(**{f"{self.agency_path}__in": ids})

    def has_module_permission(self, request) -> bool:
        return agency_admin_site.has_permission(request)

    has_view_permission = has_change_permission = has_add_permission = lambda self, request, obj=None: (
        agency_admin_site.has_permission(request)
    )

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # An agency member may only pick their own agency and its brands: a choice outside them
        # fails form validation ("Select a valid choice"), so nothing can be attached to a
        # brand of another agency.
        ids = _agency_ids(request)
        if db_field.related_model is Brand:
            brands = Brand.objects.filter(is_template=False)
            kwargs["queryset"] = brands if ids is None else brands.filter(agency_id__in=ids)
        elif db_field.related_model is Agency and ids is not None:
            kwargs["queryset"] = Agency.objects.filter(id__in=ids)
        elif db_field.related_model is User:
            # Only people already in the agency; anyone else is invited by email.
            kwargs["queryset"] = agency_people_list(agency_ids=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(User, site=agency_admin_site)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_active", "is_superuser"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("name", "language")}),
        (_("Status"), {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()
    list_filter = ["is_active", "is_superuser"]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    has_change_permission = has_add_permission = has_delete_permission = has_view_permission


class MembershipInline(admin.TabularInline):
    model = AgencyMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Agency, site=agency_admin_site)
class AgencyAdmin(AgencyScopedAdmin):
    agency_path = "id"
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


class BrandCreateForm(forms.ModelForm):
    custom_domains = forms.CharField(
        required=False, help_text=_("Optional extra host names, one per line (white-label links).")
    )

    class Meta:
        model = Brand
        fields = ["agency", "slug", "name", "timezone", "default_language", "colour"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            brand_input_check(
                slug=cleaned["slug"],
                name=cleaned["name"],
                timezone_name=cleaned["timezone"],
                default_language=cleaned["default_language"],
                custom_domains=cleaned.get("custom_domains", "").split(),
            )
        except DomainError as exc:
            for field, errors in exc.field_errors.items():
                self.add_error(field if field in self.fields else "custom_domains", errors)
            if not exc.field_errors:
                raise forms.ValidationError(exc.message) from exc
        return cleaned

    def _post_clean(self):
        pass  # provisioning (the service) creates the row; the model's own unique checks would query first


class DomainForm(forms.ModelForm):
    class Meta:
        model = Domain
        fields = ["domain", "tenant", "is_primary"]

    def clean(self):
        cleaned = super().clean()
        if "domain" not in cleaned:
            return cleaned
        # In the brand page's inline the brand comes from the page, not from a field.
        brand = cleaned.get("tenant") or (self.instance.tenant if self.instance.tenant_id else None)
        try:
            cleaned["domain"] = check_host(cleaned["domain"], brand_slug=brand.slug if brand else None)
        except DomainError as exc:
            self.add_error("domain", exc.message)
        return cleaned


class DomainInline(admin.TabularInline):
    model = Domain
    form = DomainForm
    extra = 0
    fields = ["domain", "is_primary"]


class GrantInline(admin.TabularInline):
    model = BrandGrant
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Brand, site=agency_admin_site)
class BrandAdmin(AgencyScopedAdmin):
    list_display = ["name", "slug", "agency", "ready", "host_link", "timezone", "default_language"]
    # RelatedOnly: the filter lists only agencies of the brands this user may see.
    list_filter = ["ready", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug"]
    readonly_fields = ["schema_name", "ready", "created_at"]
    inlines = [DomainInline, GrantInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_template=False).select_related("agency")

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = BrandCreateForm
        form = super().get_form(request, obj, **kwargs)
        if obj is None and not request.user.is_superuser:
            form.base_fields["agency"].required = True  # an agency member provisions for their agency
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["agency", "slug", "name", "timezone", "default_language", "colour", "custom_domains"]
        return ["agency", "slug", "name", "schema_name", "ready", "timezone", "default_language", "colour"]

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "slug", "agency"] if obj else []

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    @admin.display(description=_("host"))
    def host_link(self, obj):
        return obj.primary_host or "—"  # replaced per request by get_list_display, with a link

    def get_list_display(self, request):
        # The brand's link keeps the scheme and port this page was opened with (a bare `//host/`
        # drops the port, so `make run`'s :8000 was lost); the admin has no request in a column.
        @admin.display(description=_("host"))
        def host_link(obj):
            host = obj.primary_host
            return (
                format_html('<a href="{}">{}</a>', host_url(request, host, "/admin/"), host) if host else "—"
            )

        return [host_link if name == "host_link" else name for name in super().get_list_display(request)]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        ids = _agency_ids(request)
        if ids is not None and (data["agency"] is None or data["agency"].pk not in ids):
            raise DomainError("Choose one of your own agencies.")
        # Provisioning is a service (clone the template schema); the admin only calls it.
        brand = brand_create(
            agency=data["agency"],
            slug=data["slug"],
            name=data["name"],
            timezone_name=data["timezone"],
            default_language=data["default_language"],
            custom_domains=[h for h in data.get("custom_domains", "").split() if h],
        )
        obj.pk, obj.id = brand.pk, brand.pk
        obj._state.adding = False
        messages.success(
            request,
            _("Brand %(name)s is ready at %(host)s.") % {"name": brand.name, "host": brand.primary_host},
        )


@admin.register(Domain, site=agency_admin_site)
class DomainAdmin(AgencyScopedAdmin):
    agency_path = "tenant__agency_id"
    form = DomainForm
    list_display = ["domain", "tenant", "is_primary"]
    search_fields = ["domain"]


class GrantForm(forms.ModelForm):
    """Pick someone already in the agency, or invite a person by email; never a raw account id."""

    invite_email = forms.EmailField(
        label=_("or invite by email"),
        required=False,
        help_text=_("A new address gets an account without a password and a link to set one."),
    )

    class Meta:
        model = BrandGrant
        fields = ["user", "invite_email", "brand", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            self.fields["user"].required = False
            self.fields["user"].help_text = _("People who already work for your agency.")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        if bool(cleaned.get("user")) == bool(cleaned.get("invite_email")):
            raise forms.ValidationError(_("Choose a person from your agency or enter an email to invite."))
        return cleaned

    def _post_clean(self):
        if self.instance.pk:
            super()._post_clean()
        # On add, the service (grant_invite) writes the row: an invitee has no account yet.


@admin.register(BrandGrant, site=agency_admin_site)
class BrandGrantAdmin(AgencyScopedAdmin):
    agency_path = "brand__agency_id"
    form = GrantForm
    list_display = ["user", "brand", "role", "created_at"]
    list_filter = ["role", ("brand", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__email", "brand__name"]

    def get_fields(self, request, obj=None):
        return ["user", "brand", "role"] if obj else ["user", "invite_email", "brand", "role"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "brand"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            # The same service as the `grant` command and the API (one grant per user and brand).
            grant = grant_set(email=obj.user.email, brand_slug=obj.brand.slug, role=obj.role)
            obj.pk, obj.created_at = grant.pk, grant.created_at
            return
        data = form.cleaned_data
        email = data["user"].email if data.get("user") else data["invite_email"]
        grant, created = grant_invite(actor=request.user, brand=data["brand"], email=email, role=data["role"])
        obj.pk, obj.user, obj.brand, obj.role = grant.pk, grant.user, grant.brand, grant.role
        obj.created_at = grant.created_at
        obj._state.adding = False
        if created:
            link = request.build_absolute_uri(invitation_path(user=grant.user))
            messages.warning(
                request,
                _("Send %(email)s this link to set a password; it is not shown again: %(link)s")
                % {"email": grant.user.email, "link": link},
            )


@admin.register(BrandApiKey, site=agency_admin_site)
class BrandApiKeyAdmin(AgencyScopedAdmin):
    agency_path = "brand__agency_id"
    list_display = ["prefix", "name", "brand", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("brand", admin.RelatedOnlyFieldListFilter)]
    fields = ["brand", "name"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        key, plain = api_key_create(
            brand=form.cleaned_data["brand"], name=form.cleaned_data["name"], created_by=request.user
        )
        obj.pk = key.pk
        obj._state.adding = False
        messages.warning(request, _("Copy this key now; it is not shown again: %(key)s") % {"key": plain})

    @admin.action(description=_("Revoke selected keys"))
    def revoke(self, request, queryset):
        for key in queryset:
            api_key_revoke(key_id=key.pk)
        messages.success(request, _("Revoked %(n)d keys.") % {"n": queryset.count()})


agency_admin_site.register(PeriodicTask, PeriodicTaskAdmin)


class _SuperuserOnly:
    """Sign-in records name accounts and addresses across all agencies: platform superusers only."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccessAttempt, site=agency_admin_site)
class LoginFailureAdmin(_SuperuserOnly, AccessAttemptAdmin):
    """Failed sign-ins; deleting a row unlocks that account and address at once."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)


@admin.register(AccessLog, site=agency_admin_site)
class LoginLogAdmin(_SuperuserOnly, AccessLogAdmin):
    def has_delete_permission(self, request, obj=None) -> bool:
        return False
