"""Request-level access: a brand host is entered only with a grant for that brand, and times are
shown in the brand's time zone."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation

from tenants.localization import LANGUAGE_CODES, brand_zone
from tenants.selectors import brand_role_get
from tenants.views import no_access_response

# Paths on a brand host that need no user session: the public survey pages, health, the API
# (which authenticates API keys itself and is checked by its own permission class), login.
# /accounts/ holds the brand switcher and the sign-in hand-off, which check the user themselves.
OPEN_PREFIXES = (
    "/s/",
    "/feeds/",  # calendar feeds, authorised by their own secret link
    "/healthz",
    "/api/",
    "/static/",
    "/favicon.ico",
    "/admin/login/",
    "/admin/logout/",
    "/i18n/",
    "/accounts/",
)


class BrandAccessMiddleware:
    """Refuse a signed-in user without a grant for `request.tenant` (superusers included), and
    attach `request.brand_role`. Runs after authentication, before any view."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        request.brand_role = None
        if tenant is None or tenant.schema_name == "public":
            return self.get_response(request)
        if not tenant.ready or tenant.is_template:
            return JsonResponse({"detail": "This brand is not available."}, status=404)
        if tenant.deactivated_at is not None:
            # Offboarded: nobody enters, the API answers the same; the page says so plainly.
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "This brand is no longer served.", "code": "brand_inactive"}, status=410
                )
            return render(request, "tenants/brand_inactive.html", {"brand_name": tenant.name}, status=410)
        user = request.user
        if user.is_authenticated:
            request.brand_role = brand_role_get(user=user, brand=tenant)
        if request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        if not user.is_authenticated:
            return redirect(f"/admin/login/?next={request.path}")
        if request.brand_role is None:
            # Say so plainly, with the ways on (their own brands, signing out), rather than
            # a silent return to the login form.
            return no_access_response(request, brand=tenant)
        return self.get_response(request)


class BrandTimezoneMiddleware:
    """Show times in the brand's time zone (tenants.localization.brand_zone); they are stored in
    UTC. On the main host, the platform's default brand zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        brand = tenant if tenant is not None and tenant.schema_name != "public" else None
        timezone.activate(brand_zone(brand))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class UserLanguageMiddleware:
    """A signed-in person reads pages in the language they chose (User.language, set in the
    admin or by the language buttons); without a choice the browser's language applies
    (LocaleMiddleware). The API keeps answering by Accept-Language: an integration's header wins
    over the account's preference."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if chosen in LANGUAGE_CODES and not request.path.startswith("/api/"):
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)
