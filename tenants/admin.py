"""The agency admin: agencies, brands (provisioned through the service), domains, grants, keys.
Agency members see their own agency's brands; platform superusers see all."""

import csv
import json
from datetime import datetime

from axes.admin import AccessAttemptAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessLog
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_celery_beat.admin import PeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from tenants.admin_sites import ReadOnlyBrandModelAdmin, agency_admin_site, brand_action, brand_admin_site
from tenants.audit import Action, audit_record
from tenants.errors import DomainError
from tenants.export import brand_export_download, brand_export_progress, brand_export_request
from tenants.links import host_url
from tenants.models import (
    API_KEY_SCOPES,
    Agency,
    AgencyMembership,
    AuditEvent,
    Brand,
    BrandApiKey,
    BrandExport,
    BrandGrant,
    Domain,
    RetentionPolicy,
    User,
    api_key_scopes_all,
)
from tenants.retention import RULE_FIELDS, retention_policy_set
from tenants.selectors import agency_ids_for_user, agency_people_list
from tenants.services import (
    api_key_create,
    api_key_revoke,
    brand_create,
    brand_deactivate,
    brand_input_check,
    brand_reactivate,
    check_host,
    grant_invite,
    grant_set,
    invitation_path,
)


def _agency_ids(request) -> list[int] | None:
    """None means all (platform superuser); otherwise the agencies the user is a member of."""
    return agency_ids_for_user(user=request.user)


def _owner_of(obj) -> tuple[Brand | None, Agency | None]:
    if isinstance(obj, Brand):
        return obj, None
    if isinstance(obj, Domain):
        return obj.tenant, None
    if isinstance(obj, (BrandGrant, BrandApiKey)):
        return obj.brand, None
    if isinstance(obj, AgencyMembership):
        return None, obj.agency
    if isinstance(obj, Agency):
        return None, obj
    return None, None


# What an admin write outside the services puts on the audit trail: (added, changed, deleted).
_ADMIN_ACTIONS = {
    Domain: (Action.DOMAIN_ADDED, Action.DOMAIN_CHANGED, Action.DOMAIN_REMOVED),
    BrandGrant: (Action.GRANT_SET, Action.GRANT_SET, Action.GRANT_REVOKED),
    AgencyMembership: (Action.MEMBERSHIP_SET, Action.MEMBERSHIP_SET, Action.MEMBERSHIP_REMOVED),
    Brand: (None, Action.BRAND_CHANGED, Action.BRAND_DELETED),
    BrandApiKey: (None, None, Action.API_KEY_REVOKED),
    Agency: (None, Action.AGENCY_CHANGED, None),
}


def _form_changes(form) -> dict:
    return {
        name: {"before": form.initial.get(name), "after": form.cleaned_data.get(name)}
        for name in form.changed_data
        if name in form.cleaned_data
    }


def audit_admin_write(obj, kind: int, changes: dict | None = None) -> None:
    """Record an add (0), change (1) or delete (2) made through the agency admin's own forms."""
    action = _ADMIN_ACTIONS.get(type(obj), (None, None, None))[kind]
    if action is None or (kind == 1 and not changes):
        return
    brand, agency = _owner_of(obj)
    audit_record(action=action, brand=brand, agency=agency, target=obj, changes=changes)


class AgencyScopedAdmin(admin.ModelAdmin):
    """Shows an agency member only their agencies' rows; writes made by the admin's own forms
    (inlines, edits, deletes; the services record theirs) go on the audit trail."""

    agency_path = "agency_id"
    # Models whose adds and edits a service of this admin already records.
    audited_by_service = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not self.audited_by_service:
            audit_admin_write(obj, 1 if change else 0, _form_changes(form) if change else None)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        for obj in formset.deleted_objects:
            audit_admin_write(obj, 2)
        for obj in formset.new_objects:
            audit_admin_write(
                obj, 0, {"after": {f: str(getattr(obj, f)) for f in ("domain", "role") if hasattr(obj, f)}}
            )
        for obj, _fields in formset.changed_objects:
            changed_form = next(f for f in formset.forms if f.instance.pk == obj.pk)
            audit_admin_write(obj, 1, _form_changes(changed_form))

    def delete_model(self, request, obj):
        audit_admin_write(obj, 2)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_admin_write(obj, 2)
        super().delete_queryset(request, queryset)

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
    list_display = [
        "name",
        "slug",
        "agency",
        "ready",
        "deactivated_at",
        "host_link",
        "timezone",
        "default_language",
    ]
    # RelatedOnly: the filter lists only agencies of the brands this user may see.
    list_filter = ["ready", ("agency", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug"]
    readonly_fields = ["schema_name", "ready", "created_at"]
    inlines = [DomainInline, GrantInline]
    actions = ["export_brands", "deactivate_brands", "reactivate_brands"]

    @admin.action(description=_("Deactivate the selected brands (deleted for good after the grace period)"))
    def deactivate_brands(self, request, queryset):
        for brand in queryset:
            brand_deactivate(brand=brand, actor=request.user)
        messages.warning(
            request,
            _("Deactivated. They can be restored for %(days)d days; then they are deleted for good.")
            % {"days": settings.BRAND_DELETION_GRACE_DAYS},
        )

    @admin.action(description=_("Restore the selected deactivated brands"))
    def reactivate_brands(self, request, queryset):
        for brand in queryset:
            try:
                brand_reactivate(brand=brand, actor=request.user)
            except DomainError as exc:
                messages.error(request, f"{brand}: {exc.message}")

    @admin.action(description=_("Export all data of the selected brands"))
    def export_brands(self, request, queryset):
        for brand in queryset:
            brand_export_request(brand=brand, actor=request.user)
        messages.success(
            request,
            _("Exports queued. Download each from Brand exports when it is ready; a link works once."),
        )

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
        return [
            "agency",
            "slug",
            "name",
            "schema_name",
            "ready",
            "timezone",
            "default_language",
            "colour",
            "sender_name",
            "reply_to_email",
        ]

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
    list_display = ["prefix", "name", "brand", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("brand", admin.RelatedOnlyFieldListFilter)]
    fields = ["brand", "name", "scopes"]
    actions = ["revoke"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "scopes":
            # Chosen when the key is made: read, intake (mentions, metrics) and write.
            return forms.MultipleChoiceField(
                label=_("scopes"),
                choices=API_KEY_SCOPES,
                initial=api_key_scopes_all(),
                required=False,
                help_text=_("None ticked: all three, as keys made before scopes existed."),
                widget=forms.CheckboxSelectMultiple,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        key, plain = api_key_create(
            brand=form.cleaned_data["brand"],
            name=form.cleaned_data["name"],
            created_by=request.user,
            scopes=form.cleaned_data["scopes"] or None,
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


# --- Audit trail ---------------------------------------------------------------------------------
AUDIT_CSV_COLUMNS = [
    "at",
    "action",
    "actor_email",
    "host",
    "ip_address",
    "brand_slug",
    "target_type",
    "target_id",
    "target_repr",
    "changes",
]


class _BrandSlugFilter(admin.SimpleListFilter):
    """Only the brands that appear in the rows this user may read (never another agency's)."""

    title = _("brand")
    parameter_name = "brand_slug"

    def lookups(self, request, model_admin):
        slugs = model_admin.get_queryset(request).exclude(brand_slug="").values_list("brand_slug", flat=True)
        return [(s, s) for s in sorted(set(slugs))]

    def queryset(self, request, queryset):
        return queryset.filter(brand_slug=self.value()) if self.value() else queryset


class _ReadOnlyAuditAdmin(admin.ModelAdmin):
    """Nothing in the trail can be added, changed or deleted here (the database refuses too)."""

    list_display = ["at", "action", "actor_email", "brand_slug", "target_repr", "host", "ip_address"]
    list_filter = ["action", _BrandSlugFilter, "at"]
    search_fields = ["actor_email", "target_repr", "host", "ip_address"]
    date_hierarchy = "at"
    fields = AUDIT_CSV_COLUMNS
    readonly_fields = AUDIT_CSV_COLUMNS
    actions = ["export_csv"]
    list_per_page = 100

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Export selected events as CSV"))
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        writer = csv.writer(response)
        writer.writerow(AUDIT_CSV_COLUMNS)
        rows = 0
        for event in queryset.order_by("at", "id").iterator():
            # Times with the viewer's zone offset (the brand's, or the platform's on the main host).
            values = [
                timezone.localtime(v).isoformat() if isinstance(v, datetime) else v
                for v in (getattr(event, c) for c in AUDIT_CSV_COLUMNS)
            ]
            values[-1] = json.dumps(event.changes, ensure_ascii=False, sort_keys=True)
            # A spreadsheet runs a cell that starts with = + - @ as a formula; quote those.
            writer.writerow(["'" + v if isinstance(v, str) and v[:1] in "=+-@" else v for v in values])
            rows += 1
        audit_record(action=Action.EXPORT, changes={"what": "audit_trail", "rows": rows})
        return response


@admin.register(AuditEvent, site=agency_admin_site)
class AgencyAuditEventAdmin(_ReadOnlyAuditAdmin):
    """Platform superusers read the whole trail; agency owners their agency's."""

    def _owner_agency_ids(self, request) -> list[int] | None:
        if request.user.is_superuser:
            return None
        return list(
            AgencyMembership.objects.filter(user=request.user, role=AgencyMembership.Role.OWNER).values_list(
                "agency_id", flat=True
            )
        )

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = self._owner_agency_ids(request)
        return qs if ids is None else qs.filter(agency_id__in=ids)

    def has_module_permission(self, request) -> bool:
        return agency_admin_site.has_permission(request) and self._owner_agency_ids(request) != []

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)


@admin.register(AuditEvent, site=brand_admin_site)
class BrandAuditEventAdmin(ReadOnlyBrandModelAdmin, _ReadOnlyAuditAdmin):
    """The brand's own events, for the roles that answer for its security."""

    list_filter = ["action", "at"]
    view_permission = "audit.read"
    actions = ["export_brand_csv"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(brand_id=request.tenant.pk)

    @brand_action(permission="audit.read", description=_("Export selected events as CSV"))
    def export_brand_csv(self, request, queryset):
        return self.export_csv(request, queryset)


@admin.register(BrandExport, site=agency_admin_site)
class BrandExportAdmin(AgencyScopedAdmin):
    """Exports requested through the Brand list's action: state, progress and, for the person who
    asked, a download link that works once until it expires."""

    agency_path = "brand__agency_id"
    list_display = [
        "brand",
        "requested_by",
        "state",
        "progress",
        "rows",
        "personal_data",
        "created_at",
        "expires_at",
        "download",
    ]
    list_filter = ["state"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return brand_export_progress(obj) or "—"

    @admin.display(description=_("download"))
    def download(self, obj):
        if obj.state != BrandExport.State.DONE or obj.downloaded_at or not obj.expires_at:
            return "—"
        return format_html('<a href="{}">{}</a>', f"{obj.pk}/download/", _("Download"))

    def get_urls(self):
        return [
            path(
                "<uuid:export_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="tenants_brandexport_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, export_id):
        try:
            archive = brand_export_download(export_id=export_id, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("agency_admin:tenants_brandexport_changelist")
        return FileResponse(archive.open("rb"), as_attachment=True, filename=f"brand-export-{export_id}.zip")


@admin.register(RetentionPolicy, site=agency_admin_site)
class RetentionPolicyAdmin(AgencyScopedAdmin):
    """Each brand's retention rules (a brand without a row keeps the defaults); applied nightly."""

    agency_path = "brand__agency_id"
    audited_by_service = True
    list_display = ["brand", *RULE_FIELDS, "updated_at"]
    list_select_related = ["brand"]

    def get_fields(self, request, obj=None):
        return RULE_FIELDS if obj is not None else ["brand", *RULE_FIELDS]

    def save_model(self, request, obj, form, change):
        saved = retention_policy_set(
            brand=obj.brand, actor=request.user, **{name: getattr(obj, name) for name in RULE_FIELDS}
        )
        obj.__dict__.update(saved.__dict__)
