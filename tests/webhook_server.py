"""A local HTTP receiver for webhook tests: stdlib http.server in a thread on 127.0.0.1 that records
every request (method, path, headers, body) and answers with scripted status codes.

    from tests.webhook_server import webhook_server_fixture  # noqa: F401 - the `webhook_server` fixture

    def test_x(webhook_server):
        webhook_server.respond_with(500, 200)   # first request 500, then 200 for the rest
        ... webhook_server.url ...
        request = webhook_server.wait_for_requests(2)[-1]
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class WebhookServer:
    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self._statuses: list[int] = []
        self.default_status = 200
        self._lock = threading.Lock()
        self._hold_after: int | None = None
        self._release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status = server._record(
                    RecordedRequest(
                        method=self.command,
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                    )
                )
                if server._held():
                    server._release.wait(timeout=60)
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            do_POST = do_PUT = do_GET = _handle

            def log_message(self, format, *args) -> None:  # noqa: A002 - silence the default stderr log
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def hold_after(self, count: int) -> None:
        """Receive (and record) every request, but leave those after the first `count` without an
        answer until `release()`: the sender sees a request in flight."""
        self._hold_after = count
        self._release.clear()

    def release(self) -> None:
        self._release.set()

    def _held(self) -> bool:
        with self._lock:
            return self._hold_after is not None and len(self.requests) > self._hold_after

    def _record(self, request: RecordedRequest) -> int:
        with self._lock:
            self.requests.append(request)
            return self._statuses.pop(0) if self._statuses else self.default_status

    def respond_with(self, *statuses: int, then: int = 200) -> None:
        """Answer the next requests with `statuses` in order, then with `then`."""
        with self._lock:
            self._statuses = list(statuses)
            self.default_status = then

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/hook"

    def wait_for_requests(self, count: int, *, timeout: float = 30) -> list[RecordedRequest]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.05)
        pytest.fail(f"Webhook server got {len(self.requests)} request(s), expected {count} within {timeout}s")

    def start(self) -> WebhookServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture(name="webhook_server")
def webhook_server_fixture():
    server = WebhookServer().start()
    yield server
    server.stop()
