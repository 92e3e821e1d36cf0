"""A brand's host (the brand's schema): brand admin, brand API, client reports, survey pages."""

from django.urls import include, path

from platform.urls_common import common_urlpatterns
from tenants.admin_sites import brand_admin_site
from tenants.api import WhoAmIApi
from tenants.views import brand_home, handoff_accept

urlpatterns = [
    *common_urlpatterns,
    path("admin/", brand_admin_site.urls),
    path("api/v1/whoami/", WhoAmIApi.as_view(), name="whoami"),
    path("api/v1/", include("incidents.urls_api")),
    path("api/v1/", include("surveys.urls_api")),
    path("api/v1/", include("content.urls_api")),
    path("", include("incidents.urls")),
    path("", include("surveys.urls")),
    path("", include("content.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/handoff/<str:token>/", handoff_accept, name="handoff-accept"),
    path("", brand_home, name="home"),
]
