"""The pages work under their Content-Security-Policy in a real headless Chromium with JavaScript
on: no policy violation on the agency admin, the brand admin, the public survey page or the API
docs, and the admin's own JavaScript (select-all on a change list) still runs."""

import os
import shutil
import uuid

import pytest
from django.conf import settings
from django_tenants.utils import tenant_context

from tests.browser import CHROMIUM, LAUNCH_ARGS, LiveServer
from tests.conftest import PASSWORD
from tests.helpers import BRAND_A, brand_host
from tests.surveys.conftest import invite, make_survey

pytestmark = pytest.mark.browser


@pytest.fixture
def js_page(monkeypatch):
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("chromium not installed: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    args = [*LAUNCH_ARGS, f"--host-resolver-rules=MAP *.{settings.BASE_DOMAIN} 127.0.0.1"]
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        try:
            context = browser.new_context(locale="en-US")
            context.set_default_timeout(15_000)
            page = context.new_page()
            page.violations = []
            page.on(
                "console",
                lambda msg: (
                    page.violations.append(msg.text) if "Content Security Policy" in msg.text else None
                ),
            )
            yield page
            context.close()
        finally:
            browser.close()


@pytest.fixture
def static_from_finders(settings):
    """Serve the admin's CSS and JavaScript from the apps (tests run with DEBUG off and nothing
    collected); WhiteNoise reads this when the live server builds its middleware."""
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture
def live(static_from_finders, committed_db):
    server = LiveServer().start()
    try:
        yield server
    finally:
        server.stop()


def sign_in(page, url: str, email: str) -> None:
    page.goto(url)
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def test_admin_survey_page_and_docs_run_under_the_policy(committed_brand_a, live, js_page):
    page, server = js_page, live
    with tenant_context(committed_brand_a):
        survey = make_survey()
        _invitation, token = invite(survey, language="en", name="Sari")
        make_survey(title="Second survey")

    # Agency admin on the main host (127.0.0.1 is a main host).
    sign_in(page, server.url("127.0.0.1", "/admin/login/?next=/admin/tenants/brand/"), "oscar@example.com")
    assert "Kopi Nusantara" in page.content()
    page.goto(server.url("127.0.0.1", "/admin/tenants/brand/add/"))
    assert page.locator("#id_slug").is_visible()
    # The admin's stylesheet applied (a file, allowed by 'self').
    assert page.evaluate("getComputedStyle(document.querySelector('#header')).display") == "flex"

    # Brand admin: the change list's select-all checkbox is the admin's own JavaScript.
    sign_in(
        page, server.url(brand_host(BRAND_A), "/admin/login/?next=/admin/surveys/survey/"), "ayu@example.com"
    )
    page.check("#action-toggle")
    boxes = page.locator("input.action-select")
    assert boxes.count() >= 2
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count())), page.violations

    # The public survey page keeps its brand styling under the strict policy.
    page.goto(server.url(brand_host(BRAND_A), f"/s/{token}/"))
    header_bg = page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")
    assert header_bg not in ("rgba(0, 0, 0, 0)", "transparent")

    # Swagger UI renders from its script file.
    page.goto(server.url(brand_host(BRAND_A), "/api/docs/"))
    page.wait_for_selector(".swagger-ui .info", timeout=20_000)

    assert page.violations == []


def test_brand_switcher_crosses_hosts_under_form_action(committed_brand_a, live, js_page):
    """The switcher posts on one host and is redirected to the brand's host; browsers hold that
    redirect to the form-action directive."""
    from tenants.models import AgencyMembership, User

    page, server = js_page, live
    owner = User.objects.create_user(f"csp-owner-{uuid.uuid4().hex[:8]}@example.com", PASSWORD)
    AgencyMembership.objects.create(user=owner, agency=committed_brand_a.agency, role="owner")
    try:
        sign_in(page, server.url("127.0.0.1", "/admin/login/?next=/admin/"), owner.email)
        page.select_option("#brand-switch", BRAND_A)
        page.locator("form.brand-switcher button").click()
        page.wait_for_url(f"**{brand_host(BRAND_A)}**")
        assert "/admin/" in page.url or "/reports/" in page.url
        assert page.violations == []
    finally:
        with tenant_context(committed_brand_a):  # the cascade reaches guardian's per-brand rows
            User.objects.filter(pk=owner.pk).delete()
