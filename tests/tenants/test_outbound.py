"""The outbound HTTP client: names resolving to any address that is not globally routable are
refused, the connection goes to the address that was checked (a DNS change in between changes
nothing), redirects to such addresses are refused, and slow or oversized answers are cut off.
Real HTTP against local servers where the behaviour is the network; the resolver is the only fake."""

from __future__ import annotations

import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import urllib3.util.connection

from tenants.outbound import (
    OutboundError,
    OutboundRefused,
    OutboundTimeout,
    OutboundTooLarge,
    address_refusal,
    outbound_request,
    url_check,
)

ROOT = Path(__file__).resolve().parents[2]
_real_getaddrinfo = socket.getaddrinfo

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "10.1.2.3",
    "172.16.5.4",
    "172.31.255.254",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "100.100.100.200",  # a cloud metadata address inside the shared space
    "0.0.0.0",
    "255.255.255.255",
    "224.0.0.1",
    "239.255.255.250",
    "198.18.0.1",
    "192.0.2.10",
    "::1",
    "::",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fe80::1%1",
    "ff02::1",
    "ff0e::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "2002:7f00:1::1",  # 6to4 wrapping 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 wrapping 169.254.169.254
]
PUBLIC = ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


class FakeDns:
    """Answers for test names, one list per call (the last repeats); IP literals and real names go
    to the real resolver, which urllib3 also calls with the pinned address."""

    def __init__(self):
        self.answers: dict[str, list[list[str]]] = {}
        self.calls: list[str] = []

    def point(self, name: str, *answers: list[str] | str) -> None:
        self.answers[name] = [[a] if isinstance(a, str) else a for a in answers]

    def getaddrinfo(self, host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002
        if isinstance(host, bytes):
            host = host.decode()
        if host not in self.answers:
            return _real_getaddrinfo(host, port, family, type, proto, flags)
        self.calls.append(host)
        queue = self.answers[host]
        addresses = queue.pop(0) if len(queue) > 1 else queue[0]
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port, 0, 0) if ":" in a else (a, port),
            )
            for a in addresses
        ]


@pytest.fixture(name="dns")
def dns_fixture(monkeypatch):
    fake = FakeDns()
    monkeypatch.setattr(socket, "getaddrinfo", fake.getaddrinfo)
    return fake


@pytest.fixture(name="strict")
def strict_fixture(settings):
    """As in production: only public addresses."""
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = False


@pytest.fixture(name="dev")
def dev_fixture(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True


@pytest.fixture(name="connections")
def connections_fixture(monkeypatch):
    """Every address a socket is opened to; connecting anywhere but loopback fails at once (there is
    no internet here, and the test needs to know where it would have gone, not to get there)."""
    seen: list[tuple[str, int]] = []
    real = urllib3.util.connection.create_connection

    def create_connection(address, *args, **kwargs):
        seen.append(address[:2])
        if not address[0].startswith("127."):
            raise OSError(f"test network: no route to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(urllib3.util.connection, "create_connection", create_connection)
    return seen


class LocalServer:
    """A real HTTP server on 127.0.0.1 with a few scripted behaviours, recording each request."""

    def __init__(self):
        self.requests: list[tuple[str, str]] = []  # (path, Host header)
        self.redirect_to = ""
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests.append((self.path, self.headers.get("Host", "")))
                if self.path == "/ok":
                    self._answer(200, b"hello")
                elif self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", server.redirect_to)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif self.path == "/slow-headers":
                    time.sleep(3)
                    self._answer(200, b"late")
                elif self.path == "/trickle":
                    self.send_response(200)
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self._dribble(1000, pause=0.05)
                elif self.path == "/big":
                    self._answer(200, b"x" * (2 * 1024 * 1024))
                elif self.path == "/big-undeclared":
                    self.send_response(200)
                    self.end_headers()  # HTTP/1.0: the body ends when the connection closes
                    for _ in range(64):
                        self.wfile.write(b"y" * 32 * 1024)
                else:
                    self._answer(404, b"no")

            do_POST = do_GET

            def _answer(self, status, body):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass  # the client stopped reading, as it should

            def _dribble(self, count, *, pause):
                try:
                    for _ in range(count):
                        self.wfile.write(b".")
                        self.wfile.flush()
                        time.sleep(pause)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(name="server")
def server_fixture():
    server = LocalServer()
    yield server
    server.stop()


# --- The address check --------------------------------------------------------------------------
@pytest.mark.parametrize("address", REFUSED)
def test_a_name_resolving_to_a_non_public_address_is_refused(address, dns, strict, connections):
    dns.point("target.test", address)
    with pytest.raises(OutboundRefused):
        url_check("https://target.test/hook")
    with pytest.raises(OutboundRefused):
        outbound_request("POST", "https://target.test/hook", data=b"{}")
    assert connections == []


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address, strict):
    assert address_refusal(address) is None


def test_one_private_address_among_public_ones_refuses_the_name(dns, strict):
    dns.point("mixed.test", ["8.8.8.8", "10.0.0.5"])
    with pytest.raises(OutboundRefused, match="10.0.0.5"):
        url_check("https://mixed.test/")


def test_development_lets_loopback_and_private_through_but_never_metadata_or_multicast(dev):
    assert address_refusal("127.0.0.1") is None
    assert address_refusal("10.0.0.1") is None
    assert address_refusal("::1") is None
    for address in ("169.254.169.254", "100.100.100.200", "fe80::1", "224.0.0.1", "0.0.0.0"):
        assert address_refusal(address) is not None, address


def test_literal_addresses_and_odd_urls_are_checked_too(strict, connections):
    for url in (
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://2130706433/",  # 127.0.0.1 as one number
        "http://0x7f.1/",
        "ftp://example.com/",
        "http://user:pw@example.com/",
        "http://example.com:99999/",
    ):
        with pytest.raises(OutboundRefused):
            outbound_request("GET", url)
    assert connections == []


# --- Connect to the checked address -----------------------------------------------------------------
def test_a_dns_change_between_check_and_connect_changes_nothing(dns, dev, server):
    # Checked as loopback (allowed here), then re-pointed at the metadata address: the request still
    # reaches the checked address, and the name is resolved once.
    dns.point("receiver.test", "127.0.0.1", "169.254.169.254")
    response = outbound_request("GET", f"http://receiver.test:{server.port}/ok")
    assert response.status_code == 200 and response.content == b"hello"
    assert dns.calls == ["receiver.test"]
    assert server.requests == [("/ok", f"receiver.test:{server.port}")]  # Host stays the name


def test_a_name_re_pointed_at_loopback_after_the_check_is_not_reached(dns, strict, connections, server):
    dns.point("rebind.test", "8.8.8.8", "127.0.0.1")
    with pytest.raises(OutboundError):
        outbound_request("GET", f"http://rebind.test:{server.port}/ok")
    assert connections == [("8.8.8.8", server.port)]
    assert server.requests == []


def test_a_webhook_to_a_re_pointed_name_goes_to_the_checked_address(
    in_brand_a, dns, strict, connections, server
):
    from incidents.models import WebhookDelivery
    from incidents.services.webhooks import (
        webhook_delivery_attempt,
        webhook_emit,
        webhook_subscription_create,
    )

    dns.point("hooks.test", "8.8.8.8")
    webhook_subscription_create(name="s", url=f"https://hooks.test:{server.port}/ok", events=["*"])
    dns.point("hooks.test", "8.8.8.8", "127.0.0.1")  # a rebinding server: public once, then inside
    webhook_emit(event="ping", payload={})
    delivery = WebhookDelivery.objects.get()
    webhook_delivery_attempt(delivery_id=delivery.pk)
    assert all(address == "8.8.8.8" for address, _port in connections), connections
    assert server.requests == []


def test_a_webhook_url_in_the_shared_range_is_refused_on_the_api(client_a, ayu, in_brand_a, dns, strict):
    from incidents.models import WebhookSubscription

    dns.point("metadata.test", "100.100.100.200")
    response = client_a.login_as(ayu).post(
        "/api/v1/webhooks/",
        {"name": "x", "url": "https://metadata.test/latest/meta-data/", "events": ["*"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"url": ["Not a public address."]}
    assert not WebhookSubscription.objects.exists()


# --- Redirects ------------------------------------------------------------------------------------
def test_a_redirect_is_not_followed_by_default(dev, server):
    server.redirect_to = f"http://127.0.0.1:{server.port}/ok"
    response = outbound_request("GET", f"http://127.0.0.1:{server.port}/redirect")
    assert response.status_code == 302
    assert [path for path, _ in server.requests] == ["/redirect"]


def test_a_redirect_to_a_public_name_is_rechecked_and_followed(dns, dev, server):
    dns.point("next.test", "127.0.0.1")
    server.redirect_to = f"http://next.test:{server.port}/ok"
    response = outbound_request("GET", f"http://127.0.0.1:{server.port}/redirect", follow_redirects=True)
    assert response.status_code == 200
    assert dns.calls == ["next.test"]


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/", "http://meta.test/", "http://[fe80::1]/"]
)
def test_a_redirect_to_a_private_address_is_refused(target, dns, dev, connections, server):
    dns.point("meta.test", "100.100.100.200")
    server.redirect_to = target
    with pytest.raises(OutboundRefused):
        outbound_request("GET", f"http://127.0.0.1:{server.port}/redirect", follow_redirects=True)
    assert [address for address, _ in connections] == ["127.0.0.1"]


def test_a_webhook_answered_with_a_redirect_is_a_failed_attempt_and_not_followed(in_brand_a, dev, server):
    from incidents.models import WebhookDelivery
    from incidents.services.webhooks import (
        webhook_delivery_attempt,
        webhook_emit,
        webhook_subscription_create,
    )

    server.redirect_to = f"http://127.0.0.1:{server.port}/ok"
    webhook_subscription_create(name="s", url=f"http://127.0.0.1:{server.port}/redirect", events=["*"])
    webhook_emit(event="ping", payload={})
    delivery = WebhookDelivery.objects.get()
    webhook_delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.attempt_log[0]["error"] == "HTTP 302"
    assert [path for path, _ in server.requests] == ["/redirect"]


# --- Time and size caps ----------------------------------------------------------------------------
def test_an_answer_that_does_not_start_in_time_is_cut_off(dev, server):
    with pytest.raises(OutboundTimeout):
        outbound_request("GET", f"http://127.0.0.1:{server.port}/slow-headers", timeout=(2, 0.3))


def test_an_answer_trickling_in_is_cut_off_at_the_total_limit(dev, server):
    # Each byte arrives well within the read timeout; only the total limit stops it.
    with pytest.raises(OutboundTimeout):
        outbound_request("GET", f"http://127.0.0.1:{server.port}/trickle", timeout=(2, 2), total_seconds=0.3)


@pytest.mark.parametrize("path", ["/big", "/big-undeclared"])
def test_an_oversized_answer_is_cut_off(path, dev, server):
    with pytest.raises(OutboundTooLarge):
        outbound_request("GET", f"http://127.0.0.1:{server.port}{path}", max_bytes=64 * 1024)
    assert (
        outbound_request("GET", f"http://127.0.0.1:{server.port}/ok", max_bytes=64 * 1024).content == b"hello"
    )


# --- One way out ----------------------------------------------------------------------------------
def test_nothing_but_the_outbound_client_opens_http_connections():
    pattern = re.compile(
        r"^\s*(import|from)\s+(requests|urllib3|httpx|aiohttp|urllib\.request|http\.client)\b", re.M
    )
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("tenants", "incidents", "content", "surveys", "platform")
        for path in (ROOT / app).rglob("*.py")
        if pattern.search(path.read_text()) and path != ROOT / "tenants" / "outbound.py"
    ]
    assert offenders == []
