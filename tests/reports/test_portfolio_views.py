"""The agency portfolio on the main host (page in the agency admin, and the agency API): every
brand of the member's agency from the public health rows, sortable, linking into each brand, and
nothing of another agency; missing and stale rows are shown as such."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.models import AgencyMembership, Brand, BrandHealth, Domain, User
from tenants.services import agency_create
from tests.helpers import brand_host

pytestmark = pytest.mark.django_db

API = "/api/v1/agency/portfolio/"
PAGE = "/admin/portfolio/"


@pytest.fixture
def owner(brand_a):
    user = User.objects.create_user("pemilik@example.com", None)
    AgencyMembership.objects.create(user=user, agency=brand_a.agency, role="owner")
    return user


@pytest.fixture
def rival():
    """A second agency with one brand (its row only: the portfolio never enters a brand's schema,
    so this brand has none) and its owner."""
    agency = agency_create(slug="lain", name="Lain PR")
    brand = Brand.objects.create(
        schema_name="brand_bukan_kita", slug="bukan-kita", name="Bukan Kita", agency=agency, ready=True
    )
    Domain.objects.create(domain=brand_host("bukan-kita"), tenant=brand, is_primary=True)
    boss = User.objects.create_user("bos.lain@example.com", None)
    AgencyMembership.objects.create(user=boss, agency=agency, role="owner")
    return brand


@pytest.fixture
def rows(brand_a, brand_b, rival):
    """A: one SEV1, worse than usual, CSAT 40, update due in 20 min. B: calm, CSAT 90, figures
    ten minutes old (stale). The rival: two SEV1s."""
    now = timezone.now()
    BrandHealth.objects.bulk_create(
        [
            BrandHealth(
                brand=brand_a, open_critical=1, open_medium=2, severity_rank=1_000_002_000, alerts_24h=3,
                mentions_24h=10, negative_share_now=0.4, negative_share_baseline=0.1, negative_share_change=0.3,
                unanswered_complaints=4, unanswered_overdue=3, csat_30d=40.0, csat_answers_30d=5,
                next_client_update_at=now + timedelta(minutes=20), computed_at=now,
            ),
            BrandHealth(
                brand=brand_b, alerts_24h=0, mentions_24h=50, negative_share_now=0.05,
                negative_share_baseline=0.06, negative_share_change=-0.01, unanswered_complaints=1,
                csat_30d=90.0, csat_answers_30d=12, computed_at=now - timedelta(minutes=10),
            ),
            BrandHealth(brand=rival, open_critical=2, severity_rank=2_000_000_000, alerts_24h=9, computed_at=now),
        ]
    )  # fmt: skip
    return now


def _api_slugs(client, **params):
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    return [r["brand"] for r in response.json()["results"]]


def _page_slugs(content: str) -> list[str]:
    import re

    return re.findall(r'<tr data-brand="([^"]+)"', content)


def test_page_lists_the_agencys_brands_with_figures_and_links_and_nothing_of_another_agency(
    main_client, owner, rows
):
    response = main_client.login_as(owner).get(PAGE)
    assert response.status_code == 200
    content = response.content.decode()
    assert _page_slugs(content) == ["kopi", "batik"]  # most severe first
    assert "Bukan Kita" not in content and "bukan-kita" not in content
    assert f'href="http://{brand_host("kopi")}/admin/"' in content
    assert f'href="http://{brand_host("kopi")}/reports/incidents/"' in content
    assert "SEV1 1" in content and "SEV3 2" in content and "+30 pts" in content and "40%" in content
    assert "WIB" in content  # the client-update deadline in the brand's own zone (Asia/Jakarta)


def test_the_other_agencys_owner_sees_only_their_brand(main_client, rival, rows):
    boss = User.objects.get(email="bos.lain@example.com")
    assert _page_slugs(main_client.login_as(boss).get(PAGE).content.decode()) == ["bukan-kita"]
    assert _api_slugs(main_client) == ["bukan-kita"]


def test_api_lists_the_agencys_brands_only_and_hides_other_agencies(main_client, owner, rows):
    main_client.login_as(owner)
    body = main_client.get(API).json()
    assert [r["brand"] for r in body["results"]] == ["kopi", "batik"]
    kopi = body["results"][0]
    assert kopi["open_critical"] == 1 and kopi["open_incidents"] == 3 and kopi["alerts_24h"] == 3
    assert kopi["negative_share_now"] == 0.4 and kopi["negative_share_change"] == 0.3
    assert kopi["csat_30d"] == 40.0 and kopi["stale"] is False
    assert kopi["next_client_update_at"].endswith("+07:00")  # the brand's zone
    assert kopi["report_url"] == f"http://{brand_host('kopi')}/reports/incidents/"
    assert main_client.get(API, {"agency": "lain"}).status_code == 404
    assert main_client.get(API, {"agency": "tidak-ada"}).status_code == 404
    assert main_client.get(API, {"agency": "su\x00ara"}).status_code == 404
    assert _api_slugs(main_client, agency="suara") == ["kopi", "batik"]


def test_people_outside_the_agency_admin_are_refused(main_client, client, citra, ayu, budi, rows):
    for user in (citra, ayu, budi):  # brand grants only, no agency membership
        main_client.login_as(user)
        assert main_client.get(API).status_code == 403
        assert main_client.get(PAGE).status_code == 302  # to the agency admin's sign-in
    main_client.logout()
    assert main_client.get(API).status_code in (401, 403)


def test_a_superuser_without_an_agency_sees_every_brand(main_client, oscar, rows):
    assert set(_api_slugs(main_client.login_as(oscar))) >= {"kopi", "batik", "bukan-kita"}
    content = main_client.get(PAGE).content.decode()
    assert {"kopi", "batik", "bukan-kita"} <= set(_page_slugs(content)) and "Lain PR" in content


# ordering -> the order of the agency's two brands (kopi: SEV1, worse than usual, CSAT 40, update
# due soon; batik: calm, CSAT 90, no deadline, older figures).
SORTS = {
    "-open_incidents": ["kopi", "batik"],
    "open_incidents": ["batik", "kopi"],
    "-alerts_24h": ["kopi", "batik"],
    "csat_30d": ["kopi", "batik"],
    "-csat_30d": ["batik", "kopi"],
    "-negative_share_change": ["kopi", "batik"],
    "negative_share_now": ["batik", "kopi"],
    "-unanswered_complaints": ["kopi", "batik"],
    "next_client_update_at": ["kopi", "batik"],  # no deadline sorts last
    "computed_at": ["batik", "kopi"],
    "brand": ["batik", "kopi"],
    "-brand": ["kopi", "batik"],
}


def test_page_and_api_sort_by_each_column(main_client, owner, rows):
    main_client.login_as(owner)
    for ordering, expected in SORTS.items():
        assert _api_slugs(main_client, ordering=ordering) == expected, ordering
    # The page sorts through the same selector; a few columns in both directions are enough here.
    for ordering in ("csat_30d", "-csat_30d", "next_client_update_at", "computed_at"):
        assert _page_slugs(main_client.get(PAGE, {"o": ordering}).content.decode()) == SORTS[ordering], (
            ordering
        )


def test_an_unknown_ordering_is_a_400_in_the_api_and_a_message_on_the_page(main_client, owner, rows):
    main_client.login_as(owner)
    response = main_client.get(API, {"ordering": "password"})
    assert response.status_code == 400 and "ordering" in response.json()["errors"]
    page = main_client.get(PAGE, {"o": "password"})
    assert page.status_code == 200 and "Unknown sort order" in page.content.decode()


def test_api_pages_with_a_cursor_in_the_chosen_order(main_client, oscar, rows):
    main_client.login_as(oscar)
    seen, url = [], f"{API}?ordering=-alerts_24h&page_size=1"
    while url:
        body = main_client.get(url).json()
        seen += [r["brand"] for r in body["results"]]
        url = body["next"]
    assert seen == _api_slugs(main_client, ordering="-alerts_24h", page_size=100)
    assert seen[0] == "bukan-kita" and len(seen) == len(set(seen))


def test_missing_and_stale_rows_are_shown_as_such(main_client, owner, rows, brand_b):
    extra = Brand.objects.create(
        schema_name="brand_baru", slug="baru", name="Baru Sekali", agency=brand_b.agency, ready=True
    )
    Domain.objects.create(domain=brand_host("baru"), tenant=extra, is_primary=True)
    main_client.login_as(owner)
    by_slug = {r["brand"]: r for r in main_client.get(API).json()["results"]}
    assert by_slug["baru"]["computed_at"] is None and by_slug["baru"]["open_incidents"] is None
    assert by_slug["baru"]["stale"] is True and by_slug["batik"]["stale"] is True
    assert by_slug["kopi"]["stale"] is False
    content = main_client.get(PAGE).content.decode()
    assert "Not computed yet" in content and content.count('class="stale"') == 1  # batik


def test_page_and_api_queries_do_not_grow_with_the_brands(main_client, oscar, rows, brand_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def counts():
        with CaptureQueriesContext(connection) as api:
            assert main_client.get(API).status_code == 200
        with CaptureQueriesContext(connection) as page:
            assert main_client.get(PAGE).status_code == 200
        return len(api), len(page)

    main_client.login_as(oscar)
    before = counts()
    for n in range(3):
        brand = Brand.objects.create(
            schema_name=f"brand_lagi{n}",
            slug=f"lagi-{n}",
            name=f"Lagi {n}",
            agency=brand_a.agency,
            ready=True,
        )
        Domain.objects.create(domain=brand_host(f"lagi-{n}"), tenant=brand, is_primary=True)
        BrandHealth.objects.create(brand=brand, open_low=n, computed_at=timezone.now())
    assert counts() == before


def test_agency_home_points_to_the_portfolio_and_it_speaks_indonesian(main_client, owner, rows):
    main_client.login_as(owner)
    home = main_client.get("/admin/").content.decode()
    assert 'href="/admin/portfolio/"' in home and "1 of 2 brands have an open SEV1 or SEV2 incident" in home
    page = main_client.get(PAGE, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Portofolio" in page and "Keluhan yang belum dijawab" in page and "Belum dihitung" not in page


def test_main_hosts_schema_documents_the_portfolio(main_client):
    paths = main_client.get("/api/schema/?format=json").json()["paths"]
    operation = paths[API]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"ordering", "cursor", "agency"} <= names
