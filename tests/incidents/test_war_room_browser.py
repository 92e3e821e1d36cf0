"""The war room and the brand dashboard on a 390 px phone and a 1366 px laptop in a real headless
Chromium: nothing is wider than the screen; screenshots go to tests/artifacts/."""

import pytest
from django_tenants.utils import tenant_context

from tests.browser import browser_page, committed_live_server, screenshot  # noqa: F401 - fixtures
from tests.conftest import PASSWORD
from tests.helpers import BRAND_A, brand_host

pytestmark = pytest.mark.browser


def test_war_room_and_dashboard_fit_a_phone(committed_brand_a, committed_live_server, browser_page):  # noqa: F811
    from incidents.models import CrisisRole, RosterMember
    from incidents.services.incidents import incident_open
    from incidents.services.team import assignment_add
    from tenants.models import User
    from tests.incidents.fixtures_crisis import make_mention

    ayu = User.objects.get(email="ayu@example.com")
    with tenant_context(committed_brand_a):
        mentions = [
            make_mention(
                author_handle="@pelanggan_dengan_nama_yang_sangat_panjang_sekali",
                text="Katanya gudang Cikarang kebanjiran dan biji kopinya basi semua, "
                "jangan beli di Kopi Nusantara dulu ya guys " * 3,
            )
            for _ in range(4)
        ]
        incident = incident_open(
            actor=ayu,
            title="Rumor gudang banjir: kopi basi di gerai Bandung dan Jakarta Selatan",
            severity=2,
            mention_ids=[m.pk for m in mentions],
        )
        member = RosterMember.objects.create(
            user=ayu, name="Ayu", role=CrisisRole.CRISIS_MANAGER, email=ayu.email
        )
        assignment_add(incident_id=incident.pk, actor=ayu, member_id=member.pk)
    page = browser_page
    page.goto(committed_live_server.url(brand_host(BRAND_A), "/admin/login/?next=/admin/"))
    page.get_by_label("Email").fill("ayu@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/admin/")
    assert page.locator("#brand-dashboard").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "brand_dashboard_390")

    page.locator("#dash-incidents a").first.click()
    page.wait_for_url("**/war-room/")
    assert page.locator("#war-room").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert "@@" not in page.locator("#war-room").inner_text()
    path = screenshot(page, "war_room_390")
    assert path.exists() and path.stat().st_size > 1000

    # The brand admin's main lists and a detail page fit the phone too (tenants/static/tenants/admin.css):
    # wide tables scroll inside their own box, the page never scrolls sideways.
    for path, name in [
        ("/admin/incidents/incident/", "admin_incidents_390"),
        ("/admin/incidents/mention/", "admin_mentions_390"),
        (f"/admin/incidents/incident/{incident.pk}/change/", "admin_incident_detail_390"),
    ]:
        page.goto(committed_live_server.url(brand_host(BRAND_A), path))
        assert page.locator("#content").is_visible(), path
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        assert page.locator(".tz-note").first.inner_text().startswith("WIB"), path  # the zone is named
        screenshot(page, name)

    page.goto(
        committed_live_server.url(brand_host(BRAND_A), f"/admin/incidents/incident/{incident.pk}/war-room/")
    )
    page.set_viewport_size({"width": 1366, "height": 900})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    screenshot(page, "war_room_1366")
