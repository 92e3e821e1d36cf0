"""The agency portfolio in a real headless Chromium (JavaScript off) on a 390 px phone: an agency
owner signs in on the main host, opens the portfolio from the agency home and reads every brand's
figures, computed by the real health refresh from committed brand data. Screenshot in
tests/artifacts/."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.browser import screenshot
from tests.conftest import PASSWORD
from tests.helpers import BRAND_B

pytestmark = pytest.mark.browser


def test_agency_owner_reads_the_portfolio_on_a_phone(committed_brand_a, committed_live_server, browser_page):

    from incidents.models import Incident
    from incidents.services.incidents import incident_open
    from reports.health import brand_health_refresh
    from tenants.models import AgencyMembership, Brand, BrandHealth, User
    from tests.incidents.fixtures_early_warning import mentions_create

    ayu = User.objects.get(email="ayu@example.com")
    with tenant_context(committed_brand_a):
        incident = incident_open(actor=ayu, title="Kopi basi viral", severity=1)
        due = timezone.now() + timedelta(hours=1)
        Incident.objects.filter(pk=incident.pk).update(status_update_due_at=due)
        mentions_create(6, at=timezone.now(), band="negative", complaint=True)
        mentions_create(4, at=timezone.now(), band="positive", answered=True)
        brand_health_refresh()
    with tenant_context(Brand.objects.get(slug=BRAND_B)):
        brand_health_refresh()
    connection.set_schema_to_public()
    membership = AgencyMembership.objects.create(user=ayu, agency=committed_brand_a.agency, role="owner")
    try:
        page = browser_page
        page.goto(committed_live_server.url("127.0.0.1", "/admin/"))  # a main host the browser resolves
        page.get_by_label("Email").fill(ayu.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/admin/")
        page.get_by_role("link", name="Portfolio: every brand's health at a glance").click()
        page.wait_for_url("**/admin/portfolio/")
        rows = page.locator("tr[data-brand]")
        assert rows.count() == 2 and rows.first.get_attribute("data-brand") == "kopi"  # SEV1 first
        assert "SEV1 1" in rows.first.inner_text() and "60%" in rows.first.inner_text()
        assert rows.first.get_by_role("link", name="Report").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        path = screenshot(page, "portfolio_phone_390")
        assert path.exists() and path.stat().st_size > 1000
        page.get_by_label("Sort by").select_option("-brand")
        page.get_by_role("button", name="Sort").click()
        page.wait_for_url("**/admin/portfolio/?o=-brand")
        assert page.locator("tr[data-brand]").first.get_attribute("data-brand") == "kopi"
    finally:
        membership.delete()
        BrandHealth.objects.filter(brand__slug__in=["kopi", BRAND_B]).delete()
