"""Answers match the OpenAPI schema the brand host serves (each found by the schema-driven fuzzer):
the crisis lists are cursor pages, not bare arrays, and the detector settings' `updated_at` is null
until someone saves them."""

import pytest

from tests.incidents.fixtures_crisis import crisis_incident  # noqa: F401

pytestmark = pytest.mark.django_db


def _response_schema(client, path: str, method: str = "get") -> dict:
    schema = client.get("/api/schema/?format=json").json()
    body = schema["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
    if "$ref" in body:
        body = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/incidents/",
        "/api/v1/responses/",
        "/api/v1/moderation/",
        "/api/v1/incidents/{incident_id}/timeline/",
    ],
)
def test_crisis_lists_are_documented_as_the_cursor_pages_they_return(client_a, ayu, crisis_incident, path):  # noqa: F811
    client = client_a.login_as(ayu)
    documented = _response_schema(client, path)
    assert documented.get("type") == "object", documented
    assert {"next", "previous", "results"} <= set(documented["properties"])
    answer = client.get(path.replace("{incident_id}", str(crisis_incident.pk))).json()
    assert set(answer) == {"next", "previous", "results"}


def test_detector_settings_updated_at_is_documented_as_nullable(client_a, ayu, in_brand_a):
    client = client_a.login_as(ayu)
    documented = _response_schema(client, "/api/v1/detector-settings/")
    assert documented["properties"]["updated_at"].get("nullable") is True
    assert client.get("/api/v1/detector-settings/").json()["updated_at"] is None
