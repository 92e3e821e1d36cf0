"""The user's role on a brand is looked up once per request, however many checks read it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def _role_queries(context) -> list[str]:
    role_read = 'SELECT "tenants_brandgrant"."role" AS "role" FROM "tenants_brandgrant"'
    return [q["sql"] for q in context.captured_queries if q["sql"].startswith(role_read)]


def test_an_api_request_asks_for_the_role_once(client_a, ayu, in_brand_a):
    from incidents.services.incidents import incident_open

    incident = incident_open(actor=ayu, title="Kopi basi")
    connection.set_schema_to_public()
    client_a.login_as(ayu)
    # The middleware, the API's access check, the view's role check and the incident's
    # permission check all read the role.
    with CaptureQueriesContext(connection) as context:
        response = client_a.get(f"/api/v1/incidents/{incident.pk}/")
    assert response.status_code == 200
    assert len(_role_queries(context)) == 1


def test_a_changed_grant_counts_from_the_next_request(client_a, budi, brand_a):
    from tenants.services import grant_set

    client_a.login_as(budi)
    assert client_a.get("/api/v1/incidents/").status_code == 200
    grant_set(email=budi.email, brand_slug=brand_a.slug, role="crisis_manager")
    assert (
        client_a.post("/api/v1/incidents/", {"title": "Baru"}, content_type="application/json").status_code
        == 201
    )
