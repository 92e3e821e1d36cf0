"""The main host (public schema): agency admin, brand provisioning, the agency API."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from platform.urls_common import common_urlpatterns
from tenants.admin_sites import agency_admin_site
from tenants.views import language_set, main_home

AGENCY_API_DESCRIPTION = (
    "The agency API on the main host (`/api/v1/agency/`): the brands a signed-in agency member may "
    "enter, and provisioning for agency owners and admins. It takes the session of the agency "
    "admin (and its CSRF token for writes), never a brand API key; each brand's own API is "
    "described on that brand's host at `/api/schema/`."
)

urlpatterns = [
    # This host's own schema (the agency API): without the urlconf, drf-spectacular would describe
    # ROOT_URLCONF, the brand API, which this host does not serve. Listed first, so it wins.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(
            urlconf="platform.urls_public",
            permission_classes=[AllowAny],
            custom_settings={"TITLE": "Tanggap agency API", "DESCRIPTION": AGENCY_API_DESCRIPTION},
        ),
        name="schema",
    ),
    *common_urlpatterns,
    path("admin/", agency_admin_site.urls),
    path("api/v1/agency/", include("tenants.urls_api")),
    path("i18n/setlang/", language_set, name="set_language"),  # also saves a signed-in choice
    path("", main_home, name="home"),
    # An invited account sets its first password here (the link is shown once to the inviter).
    path(
        "accounts/set-password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url="/accounts/set-password/done/"),
        name="password_reset_confirm",
    ),
    path(
        "accounts/set-password/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
