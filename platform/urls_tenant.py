"""A brand's host (the brand's schema): brand admin, brand API, client reports, survey pages."""

from django.urls import include, path

from platform.urls_common import common_urlpatterns
from tenants.admin_sites import brand_admin_site
from tenants.api import MeApi, WhoAmIApi
from tenants.views import brand_home, handoff_accept, language_set

urlpatterns = [
    *common_urlpatterns,
    # Before the admin site, whose catch-all would answer these paths first.
    path("admin/", include("reports.urls_admin")),
    path("admin/", brand_admin_site.urls),
    path("api/v1/me/", MeApi.as_view(), name="me"),
    path("api/v1/whoami/", WhoAmIApi.as_view(), name="whoami"),
    path("api/v1/", include("incidents.urls_api")),
    path("api/v1/", include("surveys.urls_api")),
    path("api/v1/", include("content.urls_api")),
    path("api/v1/reports/", include("reports.urls_api")),
    path("", include("incidents.urls")),
    path("", include("surveys.urls")),
    path("", include("content.urls")),
    path("", include("reports.urls")),
    path("i18n/setlang/", language_set, name="set_language"),  # also saves a signed-in choice
    path("accounts/handoff/<str:token>/", handoff_accept, name="handoff-accept"),
    path("", brand_home, name="home"),
]
