"""Two-factor sign-in (django-otp) through the real pages: enrolment with recovery codes, the
login form asking for a code (wrong code, right code, a recovery code once), the agency's
requirement for owners/admins/crisis managers, the superuser switch, and the hand-off."""

import re
from base64 import b32encode
from html import unescape

import pytest
import segno
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenants.models import Agency, AuditEvent
from tests.conftest import PASSWORD
from tests.helpers import BRAND_A, brand_host

pytestmark = pytest.mark.django_db

HOST = brand_host(BRAND_A)
MAIN = settings.BASE_DOMAIN


@pytest.fixture(autouse=True)
def _fast(settings, ayu, budi, oscar):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for user in (ayu, budi, oscar):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    cache.clear()


def code_for(device: TOTPDevice) -> str:
    return str(
        totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    ).zfill(device.digits)


def with_two_factor(user):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    recovery.token_set.create(token="recover1")
    recovery.token_set.create(token="recover2")
    return device


def sign_in(email, code="", host=HOST):
    client = Client(HTTP_HOST=host)
    response = client.post(
        "/admin/login/?next=/admin/", {"username": email, "password": PASSWORD, "otp_token": code}
    )
    return client, response


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_form_shows_the_code_field(client_a):
    assert b'name="otp_token"' in client_a.get("/admin/login/").content


def test_enrolment_through_the_page_gives_recovery_codes_once(ayu, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = 0
    client = Client(HTTP_HOST=HOST)
    client.force_login(ayu)
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200 and b"otpauth://totp/" in page.content
    device = TOTPDevice.objects.get(user=ayu, confirmed=False)
    # The QR code is the page's own enrolment link, drawn as inline SVG (nothing the CSP must allow).
    html = page.content.decode()
    link = unescape(re.search(r'href="(otpauth://[^"]+)"', html).group(1))
    assert f"secret={b32encode(device.bin_key).decode()}" in link
    svg = re.search(r'<svg [^>]*class="qr".*?</svg>', html, re.S).group(0)
    assert svg == segno.make(link, error="m", micro=False).svg_inline(
        scale=4, border=4, dark="#000", light="#fff", svgclass="qr", lineclass=None, omitsize=False
    )
    assert "style=" not in svg and "<img" not in html
    wrong = client.post(
        "/accounts/two-factor/", {"code": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert b"not right" in wrong.content
    done = client.post("/accounts/two-factor/", {"code": code_for(device)})
    codes = re.findall(r"<li><code>(\w+)</code></li>", done.content.decode())
    assert len(codes) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TWO_FACTOR_ENABLED, actor=ayu).exists()
    # The session that enrolled is verified and goes on working.
    assert client.get("/admin/").status_code == 200
    # A recovery code from the page signs in, once.
    first, _ = sign_in(ayu.email, codes[0])
    assert signed_in(first)
    again, response = sign_in(ayu.email, codes[0])
    assert not signed_in(again) and b"recovery codes" in response.content


def test_login_needs_the_code_once_two_factor_is_on(ayu, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = settings.OTP_STATIC_THROTTLE_FACTOR = (
        0  # about the code, not the slow-down
    )
    device = with_two_factor(ayu)
    client, response = sign_in(ayu.email)  # the right password alone
    assert not signed_in(client) and response.status_code == 200
    assert b"authenticator app" in response.content
    wrong = str((int(code_for(device)) + 1) % 10**6).zfill(6)
    client, _ = sign_in(ayu.email, wrong)
    assert not signed_in(client)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.TWO_FACTOR_FAILED, actor=ayu).exists()
    client, _ = sign_in(ayu.email, code_for(device))
    assert signed_in(client)
    assert client.get("/admin/").status_code == 200  # verified: not sent to the code page


def test_recovery_code_works_once(ayu, settings):
    settings.OTP_STATIC_THROTTLE_FACTOR = 0  # the spent code's refusal would slow down the next
    with_two_factor(ayu)
    client, _ = sign_in(ayu.email, "recover1")
    assert signed_in(client)
    client, _ = sign_in(ayu.email, "recover1")
    assert not signed_in(client)
    client, _ = sign_in(ayu.email, "recover2")
    assert signed_in(client)


def test_wrong_codes_slow_down_the_authenticator(ayu):
    device = with_two_factor(ayu)
    sign_in(ayu.email, "12345")
    client, _ = sign_in(ayu.email, code_for(device))  # right, but straight after a wrong one
    assert not signed_in(client)


def test_agency_requirement_sends_crisis_manager_to_enrol_but_not_clients(ayu, budi, brand_a):
    Agency.objects.filter(pk=brand_a.agency_id).update(require_two_factor=True)
    client, _ = sign_in(ayu.email)
    assert signed_in(client)  # no device yet: the password signs in, then enrolment is due
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/?next=/admin/")
    assert client.get("/api/v1/whoami/").status_code == 403
    viewer, _ = sign_in(budi.email)
    assert viewer.get("/reports/incidents/").status_code == 200


def test_superuser_requirement_follows_the_setting(oscar, settings):
    client = Client(HTTP_HOST=MAIN)
    client.force_login(oscar)
    assert client.get("/admin/").status_code == 200
    settings.TWO_FACTOR_REQUIRED_FOR_SUPERUSERS = True
    response = client.get("/admin/")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/")


def test_unverified_session_of_an_enrolled_account_must_give_a_code(ayu):
    device = with_two_factor(ayu)
    client = Client(HTTP_HOST=HOST)
    client.force_login(ayu)  # a session that never gave a code
    assert client.get("/admin/").status_code == 302
    client.post("/accounts/two-factor/", {"code": code_for(device), "next": "/admin/"})
    assert client.get("/admin/").status_code == 200
