"""Two-factor sign-in with django-otp: a TOTP authenticator app plus single-use recovery codes.
Who must use it (an agency's setting for its owners, admins and crisis managers; platform
superusers when TWO_FACTOR_REQUIRED_FOR_SUPERUSERS is on), the code check the login forms call,
the enrolment page and the middleware that holds a session until its second factor is verified."""

import functools
from base64 import b32encode
from urllib.parse import quote

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import device_classes, devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenants.audit import Action, audit_record
from tenants.models import Agency, AgencyMembership, Brand, BrandGrant, User

RECOVERY_CODES = 10
# Brand roles an agency's "require two-factor" setting applies to (with its owners and admins).
REQUIRED_BRAND_ROLES = (
    BrandGrant.Role.AGENCY_OWNER,
    BrandGrant.Role.AGENCY_ADMIN,
    BrandGrant.Role.CRISIS_MANAGER,
)
SETUP_PATH = "/accounts/two-factor/"
# What a signed-in but not yet verified session may still open.
_OPEN_PREFIXES = (
    SETUP_PATH,
    "/admin/logout/",
    "/admin/login/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/favicon.ico",
    "/s/",
)


def two_factor_required(user: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser and settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS:
        return True
    if AgencyMembership.objects.filter(user=user, agency__require_two_factor=True).exists():
        return True
    return BrandGrant.objects.filter(
        user=user, role__in=REQUIRED_BRAND_ROLES, brand__agency__require_two_factor=True
    ).exists()


def two_factor_enabled(user: User) -> bool:
    return user.is_authenticated and user_has_device(user, confirmed=True)


@functools.cache
def _owed_sql() -> str:
    """The one statement behind two_factor_owed, written once: the ORM would compile four EXISTS
    subqueries again on every request. Table names come from the models, quoted; values are
    parameters."""
    q = connection.ops.quote_name
    agency, brand = q(Agency._meta.db_table), q(Brand._meta.db_table)
    checks = [
        f"EXISTS(SELECT 1 FROM {q(model._meta.db_table)} d WHERE d.user_id = %(user)s AND d.confirmed)"  # noqa: S608
        for model in device_classes()
    ]
    checks += [
        f"EXISTS(SELECT 1 FROM {q(AgencyMembership._meta.db_table)} m JOIN {agency} a ON a.id = m.agency_id "  # noqa: S608
        "WHERE m.user_id = %(user)s AND a.require_two_factor)",
        f"EXISTS(SELECT 1 FROM {q(BrandGrant._meta.db_table)} g JOIN {brand} b ON b.id = g.brand_id "  # noqa: S608
        f"JOIN {agency} a ON a.id = b.agency_id "
        "WHERE g.user_id = %(user)s AND g.role = ANY(%(roles)s) AND a.require_two_factor)",
    ]
    return "SELECT " + " OR ".join(checks)


def two_factor_owed(user: User) -> bool:
    """two_factor_enabled(user) or two_factor_required(user), in one query: the middleware asks it
    on every request of an unverified session, where the two would cost a query per device kind
    and two more for the agency and brand rules."""
    if not user.is_authenticated:
        return False
    if user.is_superuser and settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS:
        return True
    with connection.cursor() as cursor:
        cursor.execute(_owed_sql(), {"user": user.pk, "roles": [str(r) for r in REQUIRED_BRAND_ROLES]})
        return bool(cursor.fetchone()[0])


def two_factor_verify(*, user: User, code: str):
    """The confirmed device (authenticator or recovery codes) that accepts `code`, or None. A
    recovery code is spent by its use; django-otp slows repeated wrong authenticator codes."""
    code = "".join((code or "").split())
    if not code:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            allowed, _info = device.verify_is_allowed()
            if allowed and device.verify_token(code):
                return device
    audit_record(action=Action.TWO_FACTOR_FAILED, actor=user)
    return None


def two_factor_carry_over(user: User) -> None:
    """Mark the next login() of `user` as verified with their authenticator (a sign-in hand-off)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        user.otp_device = device


class TwoFactorLoginMixin(forms.Form):
    """For the admin login forms: after the password, an account with two-factor on must give a
    code from its app or a recovery code in the same form."""

    otp_token = forms.CharField(
        label=_("Two-factor code"),
        required=False,
        max_length=32,
        help_text=_("Only if two-factor sign-in is on: the code from your app, or a recovery code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is not None and two_factor_enabled(user):
            device = two_factor_verify(user=user, code=cleaned.get("otp_token", ""))
            if device is None:
                raise forms.ValidationError(
                    _("Enter the code from your authenticator app, or one of your recovery codes."),
                    code="two_factor",
                )
            user.otp_device = device  # django-otp marks the new session verified on login
        return cleaned


class TwoFactorMiddleware:
    """A signed-in session whose account has two-factor on (or must have it) and that has not
    been verified goes to the enrolment/verification page first. After django-otp's middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_OPEN_PREFIXES)
            and not user.is_verified()
            and two_factor_owed(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Two-factor sign-in is required.", "code": "two_factor"}, status=403
                )
            return redirect(f"{SETUP_PATH}?next={quote(request.get_full_path())}")
        return self.get_response(request)


def _otpauth_url(device: TOTPDevice, issuer: str) -> str:
    secret = b32encode(device.bin_key).decode()
    label = quote(f"{issuer}:{device.user.email}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits={device.digits}&period={device.step}"


def _qr_svg(otpauth_url: str) -> str:
    """The enrolment link as a QR code, an inline SVG the page embeds: segno (pure Python, no
    imaging library) draws it, and an inline element needs no image source the CSP would have to
    allow. Error correction M, as authenticator apps scan it from a screen."""
    qr = segno.make(otpauth_url, error="m", micro=False)
    return mark_safe(  # noqa: S308 (segno's own markup; the text it encodes is drawn, not embedded)
        qr.svg_inline(
            scale=4, border=4, dark="#000", light="#fff", svgclass="qr", lineclass=None, omitsize=False
        )
    )


def _new_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    ok = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if ok else "/"


@never_cache
@login_required
def two_factor_page(request: HttpRequest) -> HttpResponse:
    """Turn two-factor on (scan the secret, confirm a code, keep the recovery codes shown once),
    or verify this session with a code when it is already on."""
    user = request.user
    context = {
        "next": _next(request),
        "required": two_factor_required(user),
        "title": _("Two-factor sign-in"),
    }
    if two_factor_enabled(user):
        if request.method == "POST":
            device = two_factor_verify(user=user, code=request.POST.get("code", ""))
            if device is not None:
                otp_login(request, device)
                return redirect(context["next"])
            context["error"] = _("That code is not right. Try the current code or a recovery code.")
        return render(request, "tenants/two_factor.html", {**context, "mode": "verify"})

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=False
    )
    if request.method == "POST":
        with transaction.atomic():
            if device.verify_token("".join(request.POST.get("code", "").split())):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = _new_recovery_codes(user)
                otp_login(request, device)
                audit_record(action=Action.TWO_FACTOR_ENABLED, actor=user, request=request)
                return render(
                    request, "tenants/two_factor.html", {**context, "mode": "codes", "codes": codes}
                )
        context["error"] = _("That code is not right. Check the time on your phone and try the current code.")
    tenant = getattr(request, "tenant", None)
    issuer = tenant.name if tenant is not None and tenant.schema_name != "public" else "Tanggap"
    return render(
        request,
        "tenants/two_factor.html",
        {
            **context,
            "mode": "enrol",
            "secret": b32encode(device.bin_key).decode(),
            "otpauth_url": _otpauth_url(device, issuer),
            "qr_svg": _qr_svg(_otpauth_url(device, issuer)),
        },
    )
