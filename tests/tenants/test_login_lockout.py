"""Sign-in throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords an account, and an
address, is locked on every login form and every host, even for the right password, until the
cool-off passes or an operator resets it."""

import io
import logging

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tests.conftest import PASSWORD
from tests.helpers import BRAND_A, BRAND_B, brand_host

pytestmark = pytest.mark.django_db

MAIN = settings.BASE_DOMAIN
LIMIT = getattr(settings, "AXES_FAILURE_LIMIT", 5)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, ayu, citra, oscar):
    # Each test signs in dozens of times; a slow hash would only cost time (rolled back after).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for user in (ayu, citra, oscar):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])


def sign_in(host: str, email: str, password: str, *, ip: str = "198.51.100.7", **extra):
    client = Client(HTTP_HOST=host, REMOTE_ADDR=ip, **extra)
    response = client.post("/admin/login/?next=/admin/", {"username": email, "password": password})
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(host: str, email: str, times: int, *, ip: str = "198.51.100.7"):
    return [sign_in(host, email, "wrong-password", ip=ip)[1].status_code for _ in range(times)]


def test_agency_admin_locks_an_account_after_the_limit(oscar):
    codes = fail(MAIN, oscar.email, LIMIT)
    assert codes[:-1] == [200] * (LIMIT - 1)  # the form again, "enter a correct email…"
    assert codes[-1] == 429
    client, response = sign_in(MAIN, oscar.email, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_brand_admin_lock_is_shared_by_every_brand_host(ayu):
    fail(brand_host(BRAND_A), ayu.email, LIMIT - 2)
    fail(brand_host(BRAND_B), ayu.email, 2)
    client, response = sign_in(brand_host(BRAND_A), ayu.email, PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    # The main host counts the same failures too.
    assert sign_in(MAIN, ayu.email, PASSWORD)[1].status_code == 429


def test_lock_counts_the_account_whatever_its_case_or_address(ayu):
    for i in range(LIMIT):
        sign_in(brand_host(BRAND_A), f"  {ayu.email.upper()} ", "nope", ip=f"203.0.113.{i + 1}")
    client, response = sign_in(brand_host(BRAND_A), ayu.email, PASSWORD, ip="192.0.2.200")
    assert response.status_code == 429
    assert not signed_in(client)


def test_one_address_guessing_many_accounts_is_locked(ayu, citra):
    for i in range(LIMIT):
        sign_in(MAIN, f"guess{i}@example.com", "nope", ip="203.0.113.9")
    assert sign_in(brand_host(BRAND_A), ayu.email, PASSWORD, ip="203.0.113.9")[1].status_code == 429
    # Another address signs the same account in.
    client, response = sign_in(brand_host(BRAND_A), ayu.email, PASSWORD, ip="192.0.2.10")
    assert response.status_code == 302 and signed_in(client)


def test_other_accounts_from_other_addresses_are_unaffected(oscar, citra):
    fail(MAIN, oscar.email, LIMIT, ip="203.0.113.50")
    client, response = sign_in(brand_host(BRAND_B), citra.email, PASSWORD, ip="192.0.2.11")
    assert response.status_code == 302 and signed_in(client)


def test_fewer_failures_than_the_limit_still_let_the_right_password_in(ayu):
    fail(brand_host(BRAND_A), ayu.email, LIMIT - 1)
    client, response = sign_in(brand_host(BRAND_A), ayu.email, PASSWORD)
    assert response.status_code == 302 and signed_in(client)


@pytest.mark.parametrize("command", ["username", "ip"])
def test_operator_reset_unlocks(oscar, command):
    fail(MAIN, oscar.email, LIMIT, ip="203.0.113.77")
    assert sign_in(MAIN, oscar.email, PASSWORD, ip="203.0.113.77")[1].status_code == 429
    if command == "username":
        call_command("axes_reset_username", oscar.email, stdout=io.StringIO())
    else:
        call_command("axes_reset_ip", "203.0.113.77", stdout=io.StringIO())
    client, response = sign_in(MAIN, oscar.email, PASSWORD, ip="203.0.113.77")
    assert response.status_code == 302 and signed_in(client)


def test_lockout_page_is_translated(oscar):
    fail(MAIN, oscar.email, LIMIT)
    _client, response = sign_in(MAIN, oscar.email, PASSWORD, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 429
    content = response.content.decode()
    assert "Terlalu banyak" in content and "<html" in content


def test_lockout_answers_json_to_a_json_client(oscar):
    fail(MAIN, oscar.email, LIMIT)
    _client, response = sign_in(MAIN, oscar.email, PASSWORD, HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert response.json()["code"] == "login_locked"


def test_lockout_is_logged_with_the_host(ayu, caplog):
    with caplog.at_level(logging.WARNING, logger="tenants.lockout"):
        fail(brand_host(BRAND_B), ayu.email, LIMIT)
    lines = [r.getMessage() for r in caplog.records if r.name == "tenants.lockout"]
    assert lines and f"host={brand_host(BRAND_B)}" in lines[0] and ayu.email in lines[0]


def test_forwarded_for_is_ignored_without_a_trusted_proxy(oscar):
    # A client cannot pick a fresh address per guess by writing the header itself.
    for i in range(LIMIT):
        sign_in(MAIN, f"x{i}@example.com", "nope", ip="203.0.113.88", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}")
    assert sign_in(MAIN, oscar.email, PASSWORD, ip="203.0.113.88")[1].status_code == 429


def test_trusted_proxy_count_takes_the_client_from_the_forwarded_header(oscar, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fail(MAIN, oscar.email, 0)
    for i in range(LIMIT):
        sign_in(MAIN, f"y{i}@example.com", "nope", ip="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.99")
    # The proxy's own address is shared by everyone: only the forwarded client is locked.
    blocked = sign_in(MAIN, oscar.email, PASSWORD, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert blocked[1].status_code == 429
    client, response = sign_in(MAIN, oscar.email, PASSWORD, ip="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert response.status_code == 302 and signed_in(client)


def test_superuser_unlocks_in_the_agency_admin(oscar, ayu, main_client):
    from axes.models import AccessAttempt

    fail(brand_host(BRAND_A), ayu.email, LIMIT, ip="203.0.113.66")
    attempt = AccessAttempt.objects.get(username=ayu.email)
    admin = main_client.login_as(oscar)
    assert ayu.email in admin.get("/admin/axes/accessattempt/").content.decode()
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert response.status_code == 302
    client, response = sign_in(brand_host(BRAND_A), ayu.email, PASSWORD, ip="203.0.113.66")
    assert response.status_code == 302 and signed_in(client)


def test_agency_owner_cannot_see_sign_in_records(main_client, brand_a):
    from tenants.models import AgencyMembership, User

    owner = User.objects.create_user("pemilik@example.com", "x")
    AgencyMembership.objects.create(user=owner, agency=brand_a.agency, role="owner")
    assert main_client.login_as(owner).get("/admin/axes/accessattempt/").status_code == 403


def test_failed_sign_in_records_never_keep_the_password(ayu):
    from axes.models import AccessAttempt

    sign_in(brand_host(BRAND_A), ayu.email, "almost-correct-horse")
    attempt = AccessAttempt.objects.get(username=ayu.email)
    assert "almost-correct-horse" not in attempt.post_data
