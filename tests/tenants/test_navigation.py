"""Nobody meets a dead end: every host's home and "View site" lead somewhere real, links to other
hosts keep the request's scheme and port, a user without a grant gets a page that says so with a
way on, the report pages carry the brand, sections, user, log out and language, and every page
shows the favicon."""

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from tests.helpers import BRAND_A, BRAND_B, brand_host

pytestmark = pytest.mark.django_db

FAVICON = '<link rel="icon" href="/static/favicon.svg"'


@pytest.fixture
def owner(brand_a):
    from tenants.models import AgencyMembership, User

    user = User.objects.create_user("pemilik@example.com", "x")
    AgencyMembership.objects.create(user=user, agency=brand_a.agency, role="owner")
    return user


def test_brand_admin_view_site_opens_the_report_pages(client_a, ayu):
    page = client_a.login_as(ayu).get("/admin/").content.decode()
    assert '<a href="/reports/incidents/">View site</a>' in page
    assert client_a.get("/reports/incidents/").status_code == 200


def test_agency_admin_view_site_leads_back_to_the_agency_admin(main_client, owner):
    page = main_client.login_as(owner).get("/admin/").content.decode()
    assert '<a href="/">View site</a>' in page
    response = main_client.get("/")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_main_host_home_sends_a_stranger_to_the_login(main_client):
    response = main_client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_main_host_home_shows_brand_staff_their_brands(main_client, ayu):
    response = main_client.login_as(ayu).get("/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "not a member of an agency" in page
    assert 'value="kopi"' in page and 'value="batik"' not in page


@pytest.mark.parametrize(
    ("who", "home"), [("ayu", "/admin/"), ("budi", "/reports/incidents/")], ids=["staff", "client"]
)
def test_brand_home_sends_each_role_to_their_work(client_a, request, who, home):
    response = client_a.login_as(request.getfixturevalue(who)).get("/")
    assert response.status_code == 302 and response["Location"] == home


def test_brand_home_sends_a_stranger_to_the_login(client_a):
    response = client_a.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_client_viewer_lands_on_reports_not_the_admin_table_list(client_a, budi):
    response = client_a.login_as(budi).get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/reports/incidents/"


def test_brand_links_in_the_agency_admin_keep_scheme_and_port(owner):
    client = Client(HTTP_HOST=f"{settings.BASE_DOMAIN}:8000")
    client.force_login(owner)
    page = client.get("/admin/tenants/brand/").content.decode()
    assert f'href="http://{brand_host(BRAND_A)}:8000/admin/"' in page
    assert f'href="//{brand_host(BRAND_A)}/admin/"' not in page
    secure = Client(HTTP_HOST=f"{settings.BASE_DOMAIN}:8443")
    secure.force_login(owner)
    page = secure.get("/admin/tenants/brand/", secure=True).content.decode()
    assert f'href="https://{brand_host(BRAND_A)}:8443/admin/"' in page


def test_user_without_a_grant_sees_a_page_with_a_way_on(client_a, citra):
    response = client_a.login_as(citra).get("/reports/incidents/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "citra@example.com" in page and "no access to Kopi Nusantara" in page
    # The way on: the brand Citra does have, and signing out.
    assert f'value="{BRAND_B}"' in page and "Batik Lestari" in page
    assert 'action="/admin/logout/"' in page
    # Nothing of brand A beyond its name.
    assert "/reports/incidents/" not in page.replace('name="next" value="/reports/incidents/"', "")


def test_no_access_page_speaks_indonesian(client_a, citra):
    response = client_a.login_as(citra).get("/admin/", HTTP_ACCEPT_LANGUAGE="id")
    page = response.content.decode()
    assert response.status_code == 403
    assert "tidak punya akses ke Kopi Nusantara" in page


def test_signing_in_without_a_grant_shows_the_page_not_the_login_form(client_a, citra):
    from tests.conftest import PASSWORD

    response = client_a.post(
        "/admin/login/?next=/admin/",
        {"username": "citra@example.com", "password": PASSWORD, "next": "/admin/"},
        follow=True,
    )
    assert response.status_code == 403
    assert "no access to Kopi Nusantara" in response.content.decode()


def test_report_pages_carry_brand_sections_user_logout_and_language(client_a, budi):
    page = client_a.login_as(budi).get("/reports/incidents/").content.decode()
    assert '<a class="site-name brand" href="/">Kopi Nusantara</a>' in page
    assert '<a href="/reports/incidents/" aria-current="page">Incidents</a>' in page
    assert "Budi" in page
    assert 'action="/admin/logout/"' in page
    assert 'action="/i18n/setlang/"' in page and 'value="id"' in page and 'value="en"' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    # A client has no staff workspace to link to.
    assert "Brand workspace" not in page


def test_language_switch_on_the_report_pages_turns_them_indonesian(client_a, budi):
    client_a.login_as(budi)
    response = client_a.post("/i18n/setlang/", {"language": "id", "next": "/reports/incidents/"})
    assert response.status_code == 302 and response["Location"] == "/reports/incidents/"
    page = client_a.get("/reports/incidents/").content.decode()
    assert '<html lang="id">' in page and "Keluar" in page


@pytest.mark.parametrize(
    ("host", "path", "who"),
    [
        ("main", "/admin/", "owner"),
        ("main", "/admin/login/", None),
        ("a", "/admin/", "ayu"),
        ("a", "/admin/login/", None),
        ("a", "/reports/incidents/", "budi"),
        ("a", "/admin/", "citra"),
    ],
)
def test_every_page_links_the_favicon(main_client, client_a, request, host, path, who):
    client = main_client if host == "main" else client_a
    if who:
        client.login_as(request.getfixturevalue(who))
    assert FAVICON in client.get(path).content.decode()


def test_favicon_is_a_static_file_and_favicon_ico_points_at_it(client_a, main_client):
    assert finders.find("favicon.svg")
    for client in (client_a, main_client):
        response = client.get("/favicon.ico")
        assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"


def test_public_survey_pages_link_the_favicon(client_a):
    from django.template.loader import render_to_string

    html = render_to_string("surveys/public/base.html", {"language": "en", "brand_name": "Kopi"})
    assert FAVICON in html
