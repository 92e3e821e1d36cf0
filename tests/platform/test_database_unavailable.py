"""In-process checks of the 503 answers for an unreachable database (the real outage, with a private
PostgreSQL stopped under gunicorn, is in test_database_outage.py): the host router's database error
becomes a JSON 503 for the API and /healthz and a translated page otherwise; any other error is
still a 500, so a bug is never reported as an outage."""

import pytest
from django.db import OperationalError
from django.test import Client

from tests.helpers import BRAND_A, brand_host

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_unreachable(monkeypatch):
    """The host router's Domain lookup fails as it does when PostgreSQL refuses connections."""
    from tenants.routing import BrandHostMiddleware

    def refuse(self, domain_model, hostname):
        raise OperationalError('connection to server on socket "/tmp/.s.PGSQL.5432" failed: No such file')

    monkeypatch.setattr(BrandHostMiddleware, "get_tenant", refuse)


def _client(host: str) -> Client:
    return Client(HTTP_HOST=host, raise_request_exception=False)


def test_api_answers_json_503_with_retry_after(database_unreachable):
    response = _client(brand_host(BRAND_A)).get("/api/v1/whoami/")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "database_unavailable"
    assert int(response["Retry-After"]) > 0


def test_healthz_on_a_brand_host_answers_its_own_json_503(database_unreachable, monkeypatch):
    from django.db import connection

    def refuse_cursor(*args, **kwargs):
        raise OperationalError("the server is gone")

    monkeypatch.setattr(connection, "cursor", refuse_cursor)
    response = _client(brand_host(BRAND_A)).get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["database"] == "OperationalError"
    assert {w["status"] for w in body["workers"].values()} == {"unknown"}
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Temporarily unavailable"), ("id", "Sementara tidak tersedia")]
)
def test_pages_answer_a_short_translated_503_page(database_unreachable, language, title):
    response = _client(brand_host(BRAND_A)).get("/reports/incidents/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert title in response.content.decode()
    assert int(response["Retry-After"]) > 0


def test_a_bug_is_still_a_500(monkeypatch):
    from tenants.routing import BrandHostMiddleware

    def bug(self, domain_model, hostname):
        raise ZeroDivisionError

    monkeypatch.setattr(BrandHostMiddleware, "get_tenant", bug)
    response = _client(brand_host(BRAND_A)).get("/api/v1/whoami/")
    assert response.status_code == 500
    assert "Retry-After" not in response
