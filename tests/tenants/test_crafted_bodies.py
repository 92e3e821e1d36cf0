"""Crafted bodies never get a 500: too deep, too large, the wrong content type, a bogus charset,
invalid UTF-8 or lone surrogates get a 4xx with the API's JSON error, on every API (brand and
agency), from an API key and from a signed-in session (with its CSRF token)."""

import json

import pytest
from django.test import Client

from tests.conftest import BrandClient
from tests.helpers import bearer

pytestmark = pytest.mark.django_db

BRAND_POSTS = [
    "/api/v1/mentions/",
    "/api/v1/metrics/",
    "/api/v1/surveys/",
    "/api/v1/webhooks/",
]
DEEP = "[" * 100_000 + "]" * 100_000
DEEP_BUT_PARSEABLE = '{"a":' * 200 + "1" + "}" * 200


def _error(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body.get("detail"), str) and body["detail"]
    return body["detail"]


@pytest.fixture(name="csrf_client_a")
def csrf_client_a_fixture(brand_a, ayu):
    """Ayu signed in on brand A, with CSRF checks on as in a browser."""
    client = BrandClient(brand_a.primary_host, enforce_csrf_checks=True).login_as(ayu)
    client.get("/admin/")  # sets the CSRF cookie
    return client


def _csrf(client) -> dict:
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    return {"HTTP_X_CSRFTOKEN": token}


@pytest.mark.parametrize("path", BRAND_POSTS)
@pytest.mark.parametrize("body", [DEEP, DEEP_BUT_PARSEABLE], ids=["recursion", "depth-200"])
def test_deeply_nested_json_is_a_400(client_a, api_key_a, path, body):
    response = client_a.post(path, body, content_type="application/json", **bearer(api_key_a))
    assert "nested too deeply" in _error(response, 400)


@pytest.mark.parametrize("path", [p for p in BRAND_POSTS if p != "/api/v1/mentions/"])
def test_a_lone_surrogate_is_refused_and_never_echoed(client_a, api_key_a, path):
    row = {"platform": "x", "external_id": "\ud800", "name": "\udfff", "url": "https://e.example/\ud800"}
    body = json.dumps([row] if path == "/api/v1/metrics/" else row)
    assert "\\ud800" in body  # json.dumps escapes it; the parser turns it back into a lone surrogate
    response = client_a.post(path, body, content_type="application/json", **bearer(api_key_a))
    detail = _error(response, 400)
    assert "surrogate" in detail
    response.content.decode("utf-8")


def test_a_lone_surrogate_in_an_intake_row_is_that_rows_error_echoed_escaped(client_a, api_key_a):
    from tests.incidents.test_intake import mention_row

    rows = [mention_row(external_id="bad-\ud800"), mention_row(external_id="good")]
    response = client_a.post(
        "/api/v1/mentions/", json.dumps(rows), content_type="application/json", **bearer(api_key_a)
    )
    assert response.status_code == 200, response.content
    body = json.loads(response.content.decode("utf-8"))
    assert (body["created"], body["rejected"]) == (1, 1)
    assert body["errors"][0]["external_id"] == "bad-\\ud800"  # the escape as text, not the surrogate


@pytest.mark.parametrize("path", BRAND_POSTS)
def test_invalid_utf8_is_a_400(client_a, api_key_a, path):
    response = client_a.post(
        path, b'[{"external_id": "\xff\xfe"}]', content_type="application/json", **bearer(api_key_a)
    )
    assert "UTF-8" in _error(response, 400)


@pytest.mark.parametrize("path", BRAND_POSTS)
@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/json; charset=bogus", "application/json; charset=latin-1", "application/xml"],
)
def test_a_body_that_is_not_utf8_json_is_a_415(client_a, api_key_a, path, content_type):
    # generic(): the test client's post() would itself fail to encode for a bogus charset.
    response = client_a.generic("POST", path, b"[]", content_type=content_type, **bearer(api_key_a))
    _error(response, 415)


@pytest.mark.parametrize("path", BRAND_POSTS)
def test_a_form_from_a_signed_in_session_is_a_415_not_a_500(csrf_client_a, path):
    response = csrf_client_a.post(path, {"platform": "x"}, **_csrf(csrf_client_a))  # multipart
    _error(response, 415)
    urlencoded = csrf_client_a.post(
        path, "platform=x", content_type="application/x-www-form-urlencoded", **_csrf(csrf_client_a)
    )
    _error(urlencoded, 415)


def test_a_session_still_posts_json_with_its_csrf_token(csrf_client_a):
    refused = csrf_client_a.post("/api/v1/mentions/", "[]", content_type="application/json")
    assert refused.status_code == 403  # no CSRF token
    response = csrf_client_a.post(
        "/api/v1/mentions/", "[]", content_type="application/json", **_csrf(csrf_client_a)
    )
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("path", BRAND_POSTS)
def test_a_body_over_the_limit_is_a_413(client_a, api_key_a, path, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "x" * 5000})
    response = client_a.post(path, body, content_type="application/json", **bearer(api_key_a))
    assert "limit" in _error(response, 413)


def test_a_surrogate_in_a_query_string_is_answered_not_a_500(client_a, api_key_a):
    response = client_a.get("/api/v1/mentions/?platform=%ED%A0%80&cursor=%ED%A0%80", **bearer(api_key_a))
    assert response.status_code in (200, 400, 404)
    response.content.decode("utf-8")


def test_the_agency_api_refuses_crafted_bodies_too(db, oscar, settings):
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    client.force_login(oscar)
    assert "nested too deeply" in _error(
        client.post("/api/v1/agency/brands/", DEEP, content_type="application/json"), 400
    )
    _error(client.post("/api/v1/agency/brands/", "x", content_type="text/plain"), 415)
    _error(client.post("/api/v1/agency/brands/", {"name": "x"}), 415)
    surrogate = json.dumps({"name": "\ud800", "slug": "x"})
    assert "surrogate" in _error(
        client.post("/api/v1/agency/brands/", surrogate, content_type="application/json"), 400
    )


def test_the_renderer_never_fails_on_text_it_cannot_encode():
    from tenants.api_parsers import SafeJSONRenderer

    rendered = SafeJSONRenderer().render({"detail": "bad \ud800 value"})
    assert json.loads(rendered) == {"detail": "bad \ud800 value"}
