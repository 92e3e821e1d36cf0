"""The main host (public schema): agency admin, brand provisioning, the agency API."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from platform.urls_common import common_urlpatterns
from tenants.admin_sites import agency_admin_site
from tenants.views import main_home

urlpatterns = [
    # This host's own schema (the agency API): without the urlconf, drf-spectacular would describe
    # ROOT_URLCONF, the brand API, which this host does not serve. Listed first, so it wins.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(urlconf="platform.urls_public", permission_classes=[AllowAny]),
        name="schema",
    ),
    *common_urlpatterns,
    path("admin/", agency_admin_site.urls),
    path("api/v1/agency/", include("tenants.urls_api")),
    path("i18n/", include("django.conf.urls.i18n")),
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
