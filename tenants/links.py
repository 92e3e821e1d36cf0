"""Links from one host of this installation to another, built from the request the user made, so
they keep its scheme and port (`http://kopi.localhost:8000/`, not `//kopi.localhost/`). A link with
no request behind it (an email, a notification, a webhook) is `Brand.url(path)`."""

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
