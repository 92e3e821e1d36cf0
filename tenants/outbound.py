"""The one way Tanggap calls out to other servers (webhooks, publishing channels, a model-server
scorer): resolve the name once, refuse any address that is not globally routable, connect to exactly
the address that was checked, never follow a redirect to an unchecked address, and cap the time and
the size of the answer.

    from tenants.outbound import OutboundError, outbound_request

    try:
        response = outbound_request("POST", url, data=body, headers=headers)
    except OutboundError as exc:
        ...  # str(exc) says why: refused address, timeout, too large, connection error

`settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES` (development and tests) also lets loopback and private
(RFC 1918, fc00::/7) addresses through; link-local, shared (100.64.0.0/10, cloud metadata),
multicast and unspecified addresses are refused even then.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from tenants.errors import DomainError

DEFAULT_TIMEOUT = (5.0, 10.0)  # connect, read (per socket read)
DEFAULT_TOTAL_SECONDS = 30.0  # the whole answer, so a server trickling bytes cannot hold a worker
DEFAULT_MAX_BYTES = 1024 * 1024
MAX_REDIRECTS = 3
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(Exception):
    """The call did not complete; the message says why (safe to log and show to staff)."""


class OutboundRefused(OutboundError):
    """The URL or the address its host resolves to may not be called."""


class OutboundUnresolved(OutboundRefused):
    """The host name does not resolve."""


class OutboundTimeout(OutboundError):
    pass


class OutboundTooLarge(OutboundError):
    pass


@dataclass(frozen=True)
class OutboundResponse:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    url: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300


def private_addresses_allowed() -> bool:
    return bool(getattr(settings, "OUTBOUND_ALLOW_PRIVATE_ADDRESSES", False))


def _addresses_inside(ip: ipaddress.IPv4Address | ipaddress.IPv6Address):
    """The address and every IPv4 address it carries (IPv4-mapped, 6to4, Teredo, NAT64), since a
    router may deliver the packet to the embedded one."""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        yield ip.ipv4_mapped  # only a notation of the IPv4 address
        return
    yield ip
    if ip.version == 6:
        embedded = [ip.sixtofour, *(ip.teredo or ())]
        if ip in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
        yield from (address for address in embedded if address is not None)


def address_refusal(address: str) -> str | None:
    """Why `address` may not be called ("<address> is not ..."), or None. Uses the address's own
    properties (is_global and friends) rather than a hand-kept list of ranges."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone id names no other host
    except ValueError:
        return f"{address} is not an IP address"
    for candidate in _addresses_inside(ip):
        if candidate.is_multicast or candidate.is_unspecified:
            return f"{address} is not a unicast address"
        if candidate.is_global and not candidate.is_reserved:
            continue
        if private_addresses_allowed() and (
            candidate.is_loopback or (candidate.is_private and not candidate.is_link_local)
        ):
            continue
        return f"{address} is not a public address"
    return None


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise OutboundUnresolved(f"{host} does not resolve") from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not addresses:
        raise OutboundUnresolved(f"{host} does not resolve")
    return addresses


def _split(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundRefused("not an http(s) URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise OutboundRefused("the URL's port is not valid") from exc
    if parts.username or parts.password:
        raise OutboundRefused("credentials in the URL are not allowed")
    return parts.scheme, parts.hostname, port


def url_check(url: str) -> str:
    """Resolve `url`'s host and return the address a call would connect to; raise
    OutboundRefused when the URL or any address the name resolves to may not be called."""
    _scheme, host, port = _split(url)
    addresses = _resolve(host, port)
    for address in addresses:
        if (refusal := address_refusal(address)) is not None:
            reason = refusal.removeprefix(f"{address} ")
            raise OutboundRefused(
                refusal if host == address else f"{host} resolves to {address}, which {reason}"
            )
    return addresses[0]


def receiver_url_check(
    url: str, *, field: str = "url", what: str = "Webhook URLs", host: str = "webhook"
) -> str:
    """The URL, stripped, when signed deliveries (webhooks, a messaging provider) may go to it:
    http(s), and in production https to a host that resolves only to public addresses (the same
    check outbound_request makes per call). Refusals are DomainErrors on `field`."""
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise DomainError("Enter an http(s) URL.", field_errors={field: ["Enter an http(s) URL."]})
    try:
        _port = parts.port  # raises for a port out of 0-65535, which URL validators let through
    except ValueError:
        raise DomainError("The URL's port is not valid.", field_errors={field: ["Port out of range."]})
    if not private_addresses_allowed() and parts.scheme != "https":
        raise DomainError(f"{what} must use https.", field_errors={field: ["Use https."]})
    try:
        url_check(url)
    except OutboundUnresolved:
        # Development may name a receiver that is not up yet; each delivery checks again anyway.
        if not private_addresses_allowed():
            raise DomainError(f"The {host} host does not resolve.", field_errors={field: ["Host not found."]})
    except OutboundRefused as exc:
        raise DomainError(
            f"{what} must point to a public address ({exc}).",
            field_errors={field: ["Not a public address."]},
        )
    return url


def _pinned_pool_classes(address: str) -> dict:
    """Connection pools whose sockets go to `address` whatever the URL's host name is. The name stays
    in the URL, so the Host header, TLS SNI and certificate check all use it."""

    class Pinned:
        def _new_conn(self):
            # urllib3 resolves `_dns_host` when it opens the socket; swap the checked address in for
            # that moment only, so `host` (Host header, SNI, certificate name) stays the name.
            name, self._dns_host = self._dns_host, address
            try:
                return super()._new_conn()
            finally:
                self._dns_host = name

    class PinnedHTTPConnection(Pinned, urllib3.connection.HTTPConnection):
        pass

    class PinnedHTTPSConnection(Pinned, urllib3.connection.HTTPSConnection):
        pass

    class PinnedHTTPPool(HTTPConnectionPool):
        ConnectionCls = PinnedHTTPConnection

    class PinnedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = PinnedHTTPSConnection

    return {"http": PinnedHTTPPool, "https": PinnedHTTPSPool}


class _PinnedAdapter(HTTPAdapter):
    def __init__(self, address: str):
        self._address = address
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _pinned_pool_classes(self._address)


def _one_hop(
    method: str, url: str, *, timeout, deadline: float, max_bytes: int, read_body: bool, **kwargs
) -> OutboundResponse:
    address = url_check(url)
    with requests.Session() as session:
        session.trust_env = False  # a proxy from the environment would resolve the name again
        adapter = _PinnedAdapter(address)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        try:
            with session.request(
                method, url, timeout=timeout, allow_redirects=False, stream=True, **kwargs
            ) as response:
                declared = response.headers.get("Content-Length", "")
                if read_body and declared.isdigit() and int(declared) > max_bytes:
                    raise OutboundTooLarge(f"answer larger than {max_bytes} bytes")
                content = b""
                if read_body:
                    chunks, size = [], 0
                    # read1 returns whatever has arrived, so the total limit is checked between
                    # every piece (a fixed-size read would wait for a trickling server to fill it).
                    while chunk := response.raw.read1(8192, decode_content=True):
                        size += len(chunk)
                        if size > max_bytes:
                            raise OutboundTooLarge(f"answer larger than {max_bytes} bytes")
                        if time.monotonic() > deadline:
                            raise OutboundTimeout("answer took too long")
                        chunks.append(chunk)
                    content = b"".join(chunks)
                return OutboundResponse(
                    status_code=response.status_code,
                    headers=dict(response.headers),
                    content=content,
                    url=url,
                )
        except requests.Timeout as exc:
            raise OutboundTimeout(f"timed out: {type(exc).__name__}") from exc
        except requests.RequestException as exc:
            raise OutboundError(f"{type(exc).__name__}: {exc}"[:500]) from exc


def outbound_request(
    method: str,
    url: str,
    *,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    total_seconds: float = DEFAULT_TOTAL_SECONDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    read_body: bool = True,
    follow_redirects: bool = False,
    **kwargs,
) -> OutboundResponse:
    """Make one HTTP call to a public address (see the module docstring). With `follow_redirects`,
    each hop (at most MAX_REDIRECTS) is resolved and checked like the first, and a 303 turns into a
    GET; without it a 3xx is returned as it is. `read_body=False` returns only the status and the
    headers and never reads the answer."""
    deadline = time.monotonic() + total_seconds
    for _hop in range(MAX_REDIRECTS + 1):
        response = _one_hop(
            method,
            url,
            timeout=timeout,
            deadline=deadline,
            max_bytes=max_bytes,
            read_body=read_body,
            **kwargs,
        )
        location = response.headers.get("Location")
        if not follow_redirects or response.status_code not in (301, 302, 303, 307, 308) or not location:
            return response
        url = urljoin(url, location)
        if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
            method, kwargs = "GET", {k: v for k, v in kwargs.items() if k not in ("data", "json")}
    raise OutboundError(f"more than {MAX_REDIRECTS} redirects")
