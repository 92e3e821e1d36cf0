"""The main host (public schema): agency admin, brand provisioning, the agency API."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from platform.urls_common import common_urlpatterns
from tenants.admin_sites import agency_admin_site

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
]
