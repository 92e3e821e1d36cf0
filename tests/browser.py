"""A real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright; never downloaded) and
a live server for it that sees committed data: Django's WSGI app in a background thread.

pytest-django's live_server is not used on purpose: it needs transactional_db, whose flush would
empty the shared public schema (brands, users) that every other test relies on."""

import os
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


class LiveServer:
    """A threaded WSGI server on 127.0.0.1:<free port>; each request thread closes its own DB
    connection when it finishes, so nothing lingers into test-database teardown."""

    def __init__(self):
        from django.contrib.staticfiles.handlers import StaticFilesHandler
        from django.core.handlers.wsgi import WSGIHandler
        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

        class QuietHandler(WSGIRequestHandler):
            def log_message(self, *args):
                pass

        self.httpd = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=False)
        # Static files from the apps' folders, as Django's own live server serves them, so pages
        # are measured with their stylesheets.
        self.httpd.set_app(StaticFilesHandler(WSGIHandler()))
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True, name="live-server")

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    def start(self) -> "LiveServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def committed_live_server(committed_db):
    server = LiveServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def browser_page(monkeypatch):
    """A fresh Chromium page (phone-sized viewport) that resolves every *.<BASE_DOMAIN> host to
    127.0.0.1. Skips, with the reason, when Debian's chromium is not installed."""
    from django.conf import settings

    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("chromium not installed: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; Django would then refuse ORM calls
    # the test makes between browser steps. They are plain synchronous calls, so this is safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    args = [*LAUNCH_ARGS, f"--host-resolver-rules=MAP *.{settings.BASE_DOMAIN} 127.0.0.1"]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="en-US", java_script_enabled=False
            )
            yield context.new_page()
            context.close()
        finally:
            browser.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under tests/artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
