"""Pages around the work itself, on every host: the home that sends each person to their work,
the page for a signed-in user without access, and the brand switcher's sign-in hand-off from one
host of this installation to a brand's host."""

from django.contrib.auth import get_user_model, login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from tenants.admin_sites import REPORTS_HOME_URL_NAME, agency_admin_admits
from tenants.errors import DomainError
from tenants.languages import LANGUAGE_CODES
from tenants.links import brand_url
from tenants.models import BrandGrant
from tenants.selectors import brand_list_for_user
from tenants.services import handoff_consume, handoff_create
from tenants.two_factor import two_factor_carry_over

# The hand-off signs the user in itself (no password), so name the backend that loads them.
_HANDOFF_BACKEND = "django.contrib.auth.backends.ModelBackend"


def no_access_response(request: HttpRequest, *, brand=None) -> HttpResponse:
    """403: who is signed in, that this account may not enter `brand` (or the agency admin), and
    the ways on: the brands it does have, or signing out."""
    return render(request, "tenants/no_access.html", {"denied_brand": brand}, status=403)


@require_GET
def main_home(request: HttpRequest) -> HttpResponse:
    """The main host's "/": the agency admin for whom it admits, otherwise the way to one's brands."""
    if not request.user.is_authenticated:
        return redirect("agency_admin:login")
    if agency_admin_admits(request.user):
        return redirect("agency_admin:index")
    return no_access_response(request)


@require_GET
def brand_home(request: HttpRequest) -> HttpResponse:
    """A brand host's "/" (the access middleware has already required a grant): clients go to
    their reports, staff to the brand admin."""
    if request.brand_role in BrandGrant.CLIENT_ROLES:
        return redirect(REPORTS_HOME_URL_NAME)
    return redirect("admin:index")


@require_POST
def brand_switch(request: HttpRequest) -> HttpResponse:
    """Send a signed-in user to another brand they may enter, signed in there through a one-time
    hand-off (each host has its own session cookie)."""
    if not request.user.is_authenticated:
        return redirect("/")
    brand = brand_list_for_user(user=request.user).filter(slug=request.POST.get("brand", "")).first()
    if brand is None:
        return no_access_response(request)
    try:
        token = handoff_create(user=request.user, brand=brand, next_path="/")
    except DomainError:
        return no_access_response(request, brand=brand)
    return redirect(brand_url(request, brand, f"/accounts/handoff/{token}/"))


@never_cache
@require_GET
def handoff_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Spend a hand-off made for this brand and sign its user in here; anything else is refused
    with the reason and a way to sign in."""
    try:
        handoff = handoff_consume(token=token, brand=request.tenant)
    except DomainError as exc:
        return render(request, "tenants/handoff_refused.html", {"message": exc.message}, status=403)
    # The pass was made by a session that had passed its second factor (an unverified one cannot
    # reach the switcher), so this host's session counts as verified too.
    two_factor_carry_over(handoff.user)
    login(request, handoff.user, backend=_HANDOFF_BACKEND)
    return redirect(handoff.next_path)


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's language switch (cookie, redirect to `next`), and for a signed-in person also their
    saved preference, which their pages and emails follow from then on."""
    response = set_language(request)
    code = request.POST.get("language", "")
    if request.user.is_authenticated and code in LANGUAGE_CODES and request.user.language != code:
        get_user_model().objects.filter(pk=request.user.pk).update(language=code)
        request.user.language = code
    return response
