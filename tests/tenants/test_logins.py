"""Every login that `make run` (seed_demo) and the README print works through the real login form
(CSRF enforced), on the printed host, and lands on that person's home."""

import io
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"
_LOGIN_LINE = re.compile(r"^\s+(\S+@\S+)\s+(.+?)\s+(https?://\S+)\s*$")
_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def printed_logins(settings):
    # The demo's hashes are made and checked a dozen times; a fast hasher keeps the shared CPU free.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    logins = {}
    for line in out.getvalue().splitlines():
        match = _LOGIN_LINE.match(line)
        if match:
            logins[match[1]] = (match[2], match[3])
    return logins


def _sign_in(url: str, email: str, password: str):
    """Open the printed address like a browser: be sent to the login form, fill it in with the
    form's CSRF token, follow the redirects. Returns the final response."""
    parts = urlsplit(url)
    client = Client(enforce_csrf_checks=True, HTTP_HOST=parts.netloc)
    response = client.get(parts.path)
    assert response.status_code == 302, (email, response.status_code)
    login_path = response["Location"]
    assert "/admin/login/" in login_path
    form = client.get(login_path)
    token = _CSRF.search(form.content.decode())[1]
    response = client.post(
        login_path,
        {"username": email, "password": password, "csrfmiddlewaretoken": token, "next": parts.path},
        follow=True,
    )
    return response


def test_every_printed_login_lands_on_its_home(printed_logins):
    from tenants.management.commands.seed_demo import DEMO_PASSWORD, PEOPLE

    assert set(printed_logins) == {"operator@tanggap.test", *(p[0] for p in PEOPLE)}
    for email, (role, url) in printed_logins.items():
        response = _sign_in(url, email, DEMO_PASSWORD)
        page = response.content.decode()
        assert response.status_code == 200, (email, page[:500])
        assert response.request["PATH_INFO"] == urlsplit(url).path, email
        assert 'name="password"' not in page, f"{email} was sent back to the login form"
        if role in ("platform superuser", "agency owner", "agency admin"):
            assert "Tanggap · agency admin" in page and "/admin/tenants/brand/" in page, email
        elif role in ("client_approver", "client_viewer"):
            assert 'class="site-name brand"' in page and "Kopi Nusantara" in page, email
            assert "/reports/incidents/" in url
        else:
            assert "Kopi Nusantara · Tanggap" in page or "Batik Lestari · Tanggap" in page, email


def test_readme_logins_are_the_printed_ones(printed_logins):
    """The README's login table names only logins `make run` prints, at the same address."""
    rows = [line for line in README.read_text().splitlines() if re.match(r"^\| `[^`\s]+@[^`\s]+` \|", line)]
    assert len(rows) >= len(printed_logins)
    for row in rows:
        email = re.search(r"`(\S+@\S+)`", row)[1]
        url = re.search(r"(https?://\S+?)\s*\|", row)[1]
        assert email in printed_logins, f"README lists {email}, which make run does not print"
        printed = printed_logins[email][1].replace(f"//{settings.BASE_DOMAIN}", "//localhost")
        printed = printed.replace(f".{settings.BASE_DOMAIN}", ".localhost")
        assert printed == url, f"README sends {email} to {url}, make run to {printed}"


def test_agency_member_without_staff_flag_signs_in_to_the_agency_admin(printed_logins):
    from tenants.models import User

    owner = User.objects.get(email="owner@suara.test")
    assert not owner.is_staff and not owner.is_superuser
    response = _sign_in(f"http://{settings.BASE_DOMAIN}/admin/", "owner@suara.test", "tanggap-demo")
    assert response.status_code == 200 and response.request["PATH_INFO"] == "/admin/"


def test_brand_staff_at_the_agency_login_is_told_where_to_sign_in(main_client, ayu):
    client = Client(HTTP_HOST=f"{settings.BASE_DOMAIN}:8000")
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "ayu@example.com", "password": "correct-horse-battery"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "not an agency member" in page
    assert f'href="http://kopi.{settings.BASE_DOMAIN}:8000/"' in page


def test_wrong_password_at_the_agency_login_names_no_brand(main_client, ayu):
    response = Client(HTTP_HOST=settings.BASE_DOMAIN).post(
        "/admin/login/", {"username": "ayu@example.com", "password": "wrong"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Kopi" not in page and "correct" in page


def test_client_signing_in_without_next_lands_on_reports(budi):
    client = Client(HTTP_HOST=f"kopi.{settings.BASE_DOMAIN}")
    response = client.post(
        "/admin/login/", {"username": "budi@example.com", "password": "correct-horse-battery"}, follow=True
    )
    assert response.request["PATH_INFO"] == "/reports/incidents/"
    assert response.status_code == 200


def test_staff_signing_in_without_next_lands_on_the_brand_admin(ayu):
    client = Client(HTTP_HOST=f"kopi.{settings.BASE_DOMAIN}")
    response = client.post(
        "/admin/login/", {"username": "ayu@example.com", "password": "correct-horse-battery"}, follow=True
    )
    assert response.request["PATH_INFO"] == "/admin/"
    assert "Kopi Nusantara · Tanggap" in response.content.decode()
