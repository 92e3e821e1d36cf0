"""The navigation in a real headless Chromium (JavaScript off) on a 390 px wide phone: a client
signs in through the form and lands on readable report pages with brand, sections, user, log out
and language; a person with two brands switches between their hosts without signing in again."""

import pytest
from django_tenants.utils import tenant_context

from tests.browser import screenshot
from tests.conftest import PASSWORD
from tests.helpers import BRAND_A, BRAND_B, brand_host

pytestmark = pytest.mark.browser


def _sign_in(page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_client_signs_in_and_reads_the_reports_on_a_phone(
    committed_brand_a, committed_live_server, browser_page
):
    from incidents.services.incidents import incident_open
    from tenants.models import User

    ayu = User.objects.get(email="ayu@example.com")
    with tenant_context(committed_brand_a):
        incident_open(
            actor=ayu, title="Kopi basi di gerai Bandung dan Jakarta Selatan", severity=3, summary="Keluhan"
        )
    page = browser_page
    page.goto(committed_live_server.url(brand_host(BRAND_A), "/reports/incidents/"))
    assert "/admin/login/" in page.url
    _sign_in(page, "budi@example.com")
    page.wait_for_url("**/reports/incidents/")

    header = page.locator("header.site-header")
    assert header.locator(".site-name").inner_text() == "Kopi Nusantara"
    assert header.get_by_role("link", name="Incidents").get_attribute("aria-current") == "page"
    assert header.get_by_text("Budi").is_visible()
    assert header.get_by_role("button", name="Log out").is_visible()
    assert header.get_by_role("button", name="ID").is_visible()
    assert page.get_by_role("link", name="Kopi basi di gerai Bandung dan Jakarta Selatan").is_visible()
    # Readable on a 390 px phone: nothing makes the page wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    path = screenshot(page, "reports_phone_390")
    assert path.exists() and path.stat().st_size > 1000
    page.get_by_role("link", name="Kopi basi di gerai Bandung dan Jakarta Selatan").click()
    page.wait_for_url("**/reports/incidents/*/")
    assert page.locator("header.site-header .site-name").inner_text() == "Kopi Nusantara"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "report_detail_phone_390")
    page.locator("header.site-header").get_by_role("link", name="Incidents").click()
    page.wait_for_url("**/reports/incidents/")

    header.get_by_role("button", name="ID").click()
    try:
        page.wait_for_url("**/reports/incidents/")
        assert page.locator("html").get_attribute("lang") == "id"
        # The choice is saved on Budi's account (tenants/localization.py)...
        assert User.objects.get(email="budi@example.com").language == "id"
        assert page.locator("header.site-header").get_by_role("button", name="Keluar").is_visible()
        screenshot(page, "reports_phone_390_id")
    finally:
        # ...in the committed database the whole test process shares: the cast's later tests read
        # their pages in the browser's language again.
        User.objects.filter(email="budi@example.com").update(language="")

    page.locator("header.site-header").get_by_role("button", name="Keluar").click()
    page.goto(committed_live_server.url(brand_host(BRAND_A), "/reports/incidents/"))
    assert "/admin/login/" in page.url


def test_switcher_carries_the_sign_in_to_another_brands_host(
    committed_db, committed_live_server, browser_page
):
    from tenants.models import SignInHandoff, User
    from tenants.services import grant_revoke, grant_set

    ayu = User.objects.get(email="ayu@example.com")
    grant_set(email=ayu.email, brand_slug=BRAND_B, role="spokesperson")
    try:
        page = browser_page
        page.goto(committed_live_server.url(brand_host(BRAND_A), "/admin/"))
        _sign_in(page, ayu.email)
        page.wait_for_url(committed_live_server.url(brand_host(BRAND_A), "/admin/"))
        page.get_by_label("Switch brand").select_option(BRAND_B)
        page.get_by_role("button", name="Go").click()
        # Signed in on the other host (its own cookie) without a login form, with the port kept.
        page.wait_for_url(committed_live_server.url(brand_host(BRAND_B), "/admin/"))
        assert "Batik Lestari · Tanggap" in page.content()
        screenshot(page, "brand_switched_admin")
    finally:
        grant_revoke(email=ayu.email, brand_slug=BRAND_B)
        SignInHandoff.objects.filter(user=ayu).delete()
