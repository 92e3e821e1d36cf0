"""Password reset through the real forms on the main host and brand hosts: the email (sender,
language, link), a link that works once and expires, throttling, and the signed-in change page."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from tenants.passwords import ResetTokenGenerator
from tests.conftest import PASSWORD
from tests.helpers import BRAND_A, brand_host

pytestmark = pytest.mark.django_db

MAIN = settings.BASE_DOMAIN
NEW_PASSWORD = "a-new-and-long-passphrase-42"


@pytest.fixture(autouse=True)
def _clean(settings, ayu, budi, citra, oscar):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for user in (ayu, budi, citra, oscar):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    cache.clear()  # the throttle counts live in the cache
    yield
    cache.clear()


def request_reset(host, email, *, ip="198.51.100.20", capture=None):
    client = Client(HTTP_HOST=host, REMOTE_ADDR=ip)
    if capture is not None:
        with capture(execute=True):
            response = client.post("/accounts/password-reset/", {"email": email})
    else:
        response = client.post("/accounts/password-reset/", {"email": email})
    return response


def reset_link(message) -> str:
    match = re.search(r"https?://([^/\s]+)(/accounts/reset/\S+/)", message.body)
    assert match, message.body
    return match.group(1), match.group(2)


def set_new_password(host, path, password=NEW_PASSWORD):
    client = Client(HTTP_HOST=host)
    form_page = client.get(path, follow=True)
    if form_page.context is None or not form_page.context.get("validlink"):
        return form_page, None
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    return form_page, response


def sign_in(host, email, password):
    client = Client(HTTP_HOST=host)
    client.post("/admin/login/?next=/", {"username": email, "password": password})
    return "_auth_user_id" in client.session


def test_every_login_form_links_to_the_reset_page(client_a, main_client):
    for client in (client_a, main_client):
        page = client.get("/admin/login/")
        assert b'href="/accounts/password-reset/"' in page.content


def test_reset_on_a_brand_host_works_once_from_the_brand(ayu, mailoutbox, django_capture_on_commit_callbacks):
    host = brand_host(BRAND_A)
    response = request_reset(host, "AYU@example.com ", capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ayu@example.com"]
    assert message.from_email.startswith("Kopi Nusantara <")
    link_host, path = reset_link(message)
    assert link_host == host

    form_page, done = set_new_password(host, path)
    assert done.status_code == 302 and done.url == "/accounts/reset/done/"
    assert sign_in(host, ayu.email, NEW_PASSWORD)
    assert not sign_in(host, ayu.email, PASSWORD)

    # The same link again: refused, and the password stays.
    again, nothing = set_new_password(host, path, password="yet-another-passphrase-77")
    assert nothing is None and again.context["validlink"] is False
    assert sign_in(host, ayu.email, NEW_PASSWORD)


def test_reset_email_is_in_the_users_language_and_main_host_sender_is_the_agency(
    oscar, ayu, mailoutbox, django_capture_on_commit_callbacks
):
    from tenants.services import agency_membership_set

    agency_membership_set(email=ayu.email, agency_slug="suara", role="owner")
    ayu.language = "id"
    ayu.save(update_fields=["language"])
    request_reset(MAIN, ayu.email, capture=django_capture_on_commit_callbacks)
    message = mailoutbox[-1]
    assert message.from_email.startswith("Suara <")
    assert "Atur ulang" in message.subject
    assert reset_link(message)[0] == MAIN

    request_reset(MAIN, oscar.email, capture=django_capture_on_commit_callbacks)
    assert mailoutbox[-1].from_email.startswith("Tanggap <")
    assert "Reset your" in mailoutbox[-1].subject


def test_brand_host_sends_nothing_to_someone_outside_the_brand(
    citra, mailoutbox, django_capture_on_commit_callbacks
):
    response = request_reset(brand_host(BRAND_A), citra.email, capture=django_capture_on_commit_callbacks)
    assert response.status_code == 302  # the same answer as for an account of the brand
    assert mailoutbox == []


def test_expired_link_is_refused(ayu, mailoutbox, monkeypatch, django_capture_on_commit_callbacks):
    host = brand_host(BRAND_A)
    request_reset(host, ayu.email, capture=django_capture_on_commit_callbacks)
    _, path = reset_link(mailoutbox[0])
    real_now = ResetTokenGenerator._now
    monkeypatch.setattr(
        ResetTokenGenerator,
        "_now",
        lambda self: real_now(self).__class__.fromtimestamp(
            real_now(self).timestamp() + settings.PASSWORD_RESET_LINK_SECONDS + 60
        ),
    )
    page, done = set_new_password(host, path)
    assert done is None and page.context["validlink"] is False
    assert sign_in(host, ayu.email, PASSWORD)


def test_an_invitation_token_is_not_a_reset_token(ayu):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid = urlsafe_base64_encode(force_bytes(ayu.pk))
    page, done = set_new_password(MAIN, f"/accounts/reset/{uid}/{default_token_generator.make_token(ayu)}/")
    assert done is None


def test_requests_are_throttled_per_email_and_per_address(
    ayu, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_RATE_PER_EMAIL = "2/h"
    settings.PASSWORD_RESET_RATE_PER_IP = "4/h"
    host = brand_host(BRAND_A)
    codes = [
        request_reset(
            host, ayu.email, ip=f"203.0.113.{i}", capture=django_capture_on_commit_callbacks
        ).status_code
        for i in range(3)
    ]
    assert codes == [302, 302, 429]
    assert len(mailoutbox) == 2
    # One address asking for many accounts is throttled too.
    codes = [request_reset(host, f"nobody{i}@example.com", ip="203.0.113.99").status_code for i in range(5)]
    assert codes == [302, 302, 302, 302, 429]
    page = request_reset(host, "x@example.com", ip="203.0.113.99")
    assert b"Too many password reset requests" in page.content


def test_signed_in_change_password_page(budi, ayu):
    host = brand_host(BRAND_A)
    client = Client(HTTP_HOST=host)
    client.force_login(budi)
    reports = client.get("/reports/incidents/")
    assert b'href="/admin/password_change/"' in reports.content
    response = client.post(
        "/admin/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert sign_in(host, budi.email, NEW_PASSWORD)
    # A wrong old password changes nothing.
    client.force_login(ayu)
    response = client.post(
        "/admin/password_change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert sign_in(host, ayu.email, PASSWORD)
