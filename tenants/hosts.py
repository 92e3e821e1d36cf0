"""Host names: how a host is normalised, which hosts are the main (agency) hosts, and which names
no brand may claim as a custom domain. The router and the domain services both read this."""

import ipaddress

from django.conf import settings
from django.utils.translation import gettext as _

# RFC 6761 §6.3: every name under "localhost" resolves to loopback, so none is a brand's domain.
_LOOPBACK_NAME = "localhost"


def host_normalise(host: str) -> str:
    """The host as routing compares it: trimmed, lower case, no port, no trailing dot."""
    host = (host or "").strip().lower()
    if host.startswith("[") and "]" in host:  # an IPv6 literal with or without a port
        host = host[1 : host.index("]")]
    elif host.count(":") == 1:
        name, _sep, port = host.partition(":")
        if port.isdigit() or port == "":
            host = name
    return host.rstrip(".") if host != "." else host


def main_hosts() -> frozenset[str]:
    """The hosts that serve the agency admin and agency API (the public schema)."""
    return frozenset(host_normalise(h) for h in [*settings.MAIN_HOSTS, settings.BASE_DOMAIN] if h)


def is_main_host(host: str) -> bool:
    return host_normalise(host) in main_hosts()


def brand_primary_host(slug: str) -> str:
    """The host every brand gets: `<slug>.<BASE_DOMAIN>`."""
    return f"{slug}.{host_normalise(settings.BASE_DOMAIN)}"


def site_url(host: str, path: str = "/") -> str:
    """`<SITE_SCHEME>://<host>[:<SITE_PORT>]<path>`: the address of `path` on one of this
    installation's hosts, for where there is no request to copy the scheme and port from (emails,
    notifications, webhooks, printed logins). The scheme's default port is left out."""
    if path and not path.startswith("/"):
        raise ValueError(f"A path on a host starts with '/': {path!r}")
    scheme = settings.SITE_SCHEME
    port = str(settings.SITE_PORT or "")
    suffix = f":{port}" if port and port != {"http": "80", "https": "443"}.get(scheme) else ""
    return f"{scheme}://{host}{suffix}{path}"


def host_reserved_reason(host: str, *, own_slug: str | None = None) -> str | None:
    """Why `host` may not be a custom domain (of the brand `own_slug`, if given), or None.

    Reserved: the main hosts and everything under them, BASE_DOMAIN and everything under it
    (every brand's present or future primary host) except the brand's own primary host,
    localhost and its subdomains, and IP address literals."""
    host = host_normalise(host)
    if own_slug and host == brand_primary_host(own_slug) and not is_main_host(host):
        return None
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return _("Use a host name, not an IP address.")
    if host == _LOOPBACK_NAME or host.endswith("." + _LOOPBACK_NAME):
        return _("%(host)s is reserved: it always means this machine.") % {"host": host}
    for main in sorted(main_hosts()):
        if host == main:
            return _("%(host)s is the platform's main host and is reserved.") % {"host": host}
        if host.endswith("." + main):
            return _("Host names under %(main)s are reserved for the platform and brands' own hosts.") % {
                "main": main
            }
    return None
