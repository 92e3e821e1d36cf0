"""The report page in a real headless Chromium at 390 px, as Budi (client viewer) sees it: the
charts draw under the page's CSP (pixels on the canvas), nothing is wider than the phone, and a
screenshot goes to tests/artifacts/."""

import pytest
from django_tenants.utils import tenant_context

from tests.browser import browser_page, committed_live_server, screenshot  # noqa: F401 - fixtures
from tests.conftest import PASSWORD
from tests.helpers import BRAND_A, brand_host

pytestmark = pytest.mark.browser

_INK = """(id) => {
  const canvas = document.getElementById(id);
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let ink = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) ink++; }
  return ink;
}"""


def _static_from_finders(route):
    """The live server is Django's bare WSGI app (no static files in tests): answer static requests
    from the project's static folders, as whitenoise does after collectstatic."""
    from urllib.parse import urlparse

    from django.contrib.staticfiles import finders

    found = finders.find(urlparse(route.request.url).path.split("/static/", 1)[1])
    if not found:
        route.fulfill(status=404, body="")
        return
    content_type = "text/javascript" if found.endswith(".js") else None
    route.fulfill(path=found, content_type=content_type)


def test_report_draws_its_charts_on_a_phone(committed_brand_a, committed_live_server, browser_page):  # noqa: F811
    from tenants.models import User
    from tests.reports.fixtures import report_world_build

    with tenant_context(committed_brand_a):
        report_world_build(User.objects.get(email="ayu@example.com"))
    # The shared page runs without JavaScript; the charts need it, in the same browser.
    context = browser_page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="en-US")
    page = context.new_page()
    page.route("**/static/**", _static_from_finders)
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(committed_live_server.url(brand_host(BRAND_A), "/admin/login/?next=/reports/"))
        page.get_by_label("Email").fill("budi@example.com")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/reports/")
        page.goto(
            committed_live_server.url(
                brand_host(BRAND_A), "/reports/?period=custom&start=2026-03-01&end=2026-03-02"
            )
        )
        page.wait_for_selector("html[data-charts-drawn]")
        assert int(page.get_attribute("html", "data-charts-drawn")) >= 3
        assert page.evaluate(_INK, "chart-mentions") > 500
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not [e for e in errors if "Content Security Policy" in e], errors
        path = screenshot(page, "report_390")
        assert path.exists() and path.stat().st_size > 1000
    finally:
        context.close()
