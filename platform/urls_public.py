"""The main host (public schema): agency admin, brand provisioning, the agency API."""

from django.urls import include, path

from platform.urls_common import common_urlpatterns
from tenants.admin_sites import agency_admin_site
from tenants.views import main_home

urlpatterns = [
    *common_urlpatterns,
    path("admin/", agency_admin_site.urls),
    path("api/v1/agency/", include("tenants.urls_api")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", main_home, name="home"),
]
