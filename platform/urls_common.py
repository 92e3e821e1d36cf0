"""URL patterns both the main host and brand hosts serve: health, favicon, the brand switcher, API
schema and offline docs."""

from django.templatetags.static import static
from django.urls import path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny

from platform.views import healthz
from tenants.passwords import urlpatterns as password_urlpatterns
from tenants.two_factor import two_factor_page
from tenants.views import brand_switch

common_urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page links; send them to the static icon.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("accounts/switch/", brand_switch, name="brand-switch"),
    # Password reset by email, on the main host and every brand host.
    *password_urlpatterns,
    path("accounts/two-factor/", two_factor_page, name="two-factor"),
    path("api/schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path(
        "api/docs/",
        # The split view serves Swagger UI's start-up script as a file, so the CSP needs no inline script.
        SpectacularSwaggerSplitView.as_view(url_name="schema", permission_classes=[AllowAny]),
        name="api-docs",
    ),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="schema", permission_classes=[AllowAny]),
        name="api-redoc",
    ),
]
