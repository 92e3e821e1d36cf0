"""Every page carries a Content-Security-Policy and the usual security headers; the public survey
pages and client reports allow no inline script or style but the response's own nonce."""

import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from tests.helpers import BRAND_A, bearer, brand_host
from tests.surveys.conftest import invite, make_survey

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no CSP on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(response) -> None:
    csp = policy(response)
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in csp[directive], directive
        assert "'unsafe-eval'" not in csp[directive], directive
        assert not any(s.startswith(("http", "*", "data:")) for s in csp[directive]), directive
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    # Every inline <style>/<script> on the page carries the nonce the header allows.
    content = response.content.decode()
    nonces = {f"'nonce-{n}'" for n in re.findall(r'<(?:style|script)[^>]*nonce="([^"]+)"', content)}
    inline = re.findall(r"<(?:style|script)(?![^>]*\bsrc=)[^>]*>", content)
    assert len(inline) == len(re.findall(r'<(?:style|script)(?![^>]*\bsrc=)[^>]*nonce="', content)), inline
    for nonce in nonces:
        assert nonce in csp["style-src"] or nonce in csp["script-src"]
    assert not re.search(r"\sstyle=\"", content), "inline style attribute on a strict page"
    assert not re.search(r"\son[a-z]+=", content), "inline event handler on a strict page"


def assert_common_headers(response) -> None:
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "'none'" in policy(response)["frame-ancestors"]


@pytest.fixture
def survey_token(in_brand_a):
    survey = make_survey()
    _invitation, token = invite(survey, language="en", name="Sari")
    return token


def test_public_survey_page_has_a_strict_policy(brand_a, survey_token):
    response = Client(HTTP_HOST=brand_host(BRAND_A)).get(f"/s/{survey_token}/")
    assert response.status_code == 200
    assert "<style nonce=" in response.content.decode()  # the brand colour still applies
    assert_strict(response)
    assert_common_headers(response)


def test_unknown_survey_link_page_has_a_strict_policy(brand_a):
    response = Client(HTTP_HOST=brand_host(BRAND_A)).get("/s/not-a-real-token/")
    assert response.status_code in (200, 404, 410)
    if response.status_code != 404:  # DEBUG 404 pages are Django's technical page
        assert_strict(response)


def test_client_report_pages_have_a_strict_policy(client_a, budi):
    client_a.login_as(budi)
    response = client_a.get("/reports/incidents/")
    assert response.status_code == 200
    assert_strict(response)
    assert_common_headers(response)


def test_each_nonce_is_new_per_response(brand_a, survey_token):
    client = Client(HTTP_HOST=brand_host(BRAND_A))
    first = policy(client.get(f"/s/{survey_token}/"))["style-src"]
    second = policy(client.get(f"/s/{survey_token}/"))["style-src"]
    assert first != second


@pytest.mark.parametrize(
    "host,path",
    [
        ("main", "/admin/login/"),
        ("brand", "/admin/login/"),
        ("main", "/healthz"),
        ("brand", "/api/schema/"),
        ("brand", "/api/docs/"),
        ("brand", "/api/redoc/"),
    ],
)
def test_every_page_has_a_policy_and_the_security_headers(brand_a, host, path):
    client = Client(HTTP_HOST=settings.BASE_DOMAIN if host == "main" else brand_host(BRAND_A))
    response = client.get(path)
    assert response.status_code == 200
    assert_common_headers(response)
    csp = policy(response)
    assert "'unsafe-inline'" not in csp["script-src"] or path == "/api/redoc/"
    assert "'unsafe-eval'" not in csp["script-src"]


def test_api_answers_carry_the_headers(brand_a, api_key_a):
    response = Client(HTTP_HOST=brand_host(BRAND_A)).get("/api/v1/whoami/", **bearer(api_key_a))
    assert response.status_code == 200
    assert_common_headers(response)


def test_swagger_ui_loads_its_start_up_script_as_a_file(brand_a):
    client = Client(HTTP_HOST=brand_host(BRAND_A))
    page = client.get("/api/docs/").content.decode()
    assert re.search(r'<script src="[^"]*\?script', page)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_admin_pages_allow_no_inline_script(main_client, oscar):
    response = main_client.login_as(oscar).get("/admin/tenants/brand/")
    assert response.status_code == 200
    csp = policy(response)
    assert "'unsafe-inline'" not in csp["script-src"]
    assert_common_headers(response)


def test_hsts_is_sent_over_https_when_debug_is_off():
    # DEBUG is read once at start-up, so a fresh interpreter checks the production settings.
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client(HTTP_HOST='tanggap.test').get('/healthz', secure=True);"
        "print(r.headers.get('Strict-Transport-Security'))"
    )
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "x" * 50,
        "BASE_DOMAIN": "tanggap.test",
        "DJANGO_SETTINGS_MODULE": "platform.settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )
    assert "max-age=31536000" in result.stdout, result.stderr[-2000:]
    assert "includeSubDomains" in result.stdout
