"""Links from one host of this installation to another, built from the request the user made, so
they keep its scheme and port (`http://kopi.localhost:8000/`, not `//kopi.localhost/`)."""

from django.http import HttpRequest
from django.http.request import split_domain_port

from tenants.models import Brand


def host_url(request: HttpRequest, host: str, path: str = "/") -> str:
    """`<scheme>://<host>[:<port>]<path>` with the scheme and port the request arrived on."""
    _, port = split_domain_port(request.get_host())
    netloc = f"{host}:{port}" if port else host
    return f"{request.scheme}://{netloc}{path}"


def brand_url(request: HttpRequest, brand: Brand, path: str = "/") -> str:
    return host_url(request, brand.primary_host, path)


def brand_absolute_url(brand: Brand, path: str = "/") -> str:
    """`scheme://<brand primary host>[:port]<path>` from SITE_SCHEME and SITE_PORT, for links in
    emails and webhooks, where there is no request to copy the scheme and port from."""
    from django.conf import settings

    scheme = settings.SITE_SCHEME
    port = str(settings.SITE_PORT or "")
    default_port = {"http": "80", "https": "443"}.get(scheme)
    suffix = f":{port}" if port and port != default_port else ""
    return f"{scheme}://{brand.primary_host}{suffix}{path}"
