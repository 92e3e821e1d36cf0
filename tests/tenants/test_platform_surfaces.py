"""Health, API schema and offline docs on both hosts; tenant-keyed cache and log records."""

import logging

import pytest
from django.core.cache import cache
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("which", ["main", "brand"])
def test_healthz_reports_database_and_broker(which, main_client, client_a):
    client = main_client if which == "main" else client_a
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["broker"] == "ok"
    assert body["schema"] == ("public" if which == "main" else "brand_kopi")


@pytest.mark.parametrize("which", ["main", "brand"])
def test_openapi_schema_and_offline_docs_are_served(which, main_client, client_a):
    client = main_client if which == "main" else client_a
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    # The Swagger UI comes from the sidecar package on this host, not from a CDN.
    assert b"cdn.jsdelivr" not in docs.content and b"/static/drf_spectacular_sidecar/" in docs.content


def test_cache_keys_carry_the_brand_schema(in_brand_a):
    cache.set("greeting", "halo")
    connection.set_schema_to_public()
    assert cache.get("greeting") is None
    connection.set_tenant(in_brand_a)
    assert cache.get("greeting") == "halo"


def test_log_records_carry_the_brand_schema(in_brand_a):
    from django_tenants.log import TenantContextFilter

    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    assert TenantContextFilter().filter(record)
    assert record.schema_name == "brand_kopi"


def test_media_storage_is_per_brand(in_brand_a, settings, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    settings.MEDIA_ROOT = str(tmp_path)
    name = default_storage.save("logo.txt", ContentFile(b"x"))
    assert "brand_kopi" in default_storage.path(name)


def test_agency_api_lists_only_the_users_brands(main_client, ayu):
    response = main_client.login_as(ayu).get("/api/v1/agency/brands/")
    assert response.status_code == 200
    assert [b["slug"] for b in response.json()["results"]] == ["kopi"]


def test_agency_api_refuses_provisioning_outside_own_agency(main_client, ayu):
    response = main_client.login_as(ayu).post(
        "/api/v1/agency/brands/",
        {"agency": "suara", "slug": "baru", "name": "Baru"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["agency"]


def test_agency_admin_refuses_brand_staff_without_membership(main_client, ayu):
    response = main_client.login_as(ayu).get("/admin/")
    assert response.status_code == 302


def test_agency_owner_provisions_through_the_api(main_client, brand_a):
    from tenants.models import AgencyMembership, User

    owner = User.objects.create_user("boss@example.com", "x")
    AgencyMembership.objects.create(user=owner, agency=brand_a.agency, role="owner")
    response = main_client.login_as(owner).post(
        "/api/v1/agency/brands/",
        {"agency": "suara", "slug": "jamu-segar", "name": "Jamu Segar"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["host"] == "jamu-segar.tanggap.test"
    bad = main_client.post(
        "/api/v1/agency/brands/",
        {"agency": "suara", "slug": "Jamu!", "name": "J"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "slug" in bad.json()["errors"]


def test_each_hosts_schema_describes_the_api_that_host_serves(main_client, client_a):
    main = main_client.get("/api/schema/?format=json").json()["paths"]
    brand = client_a.get("/api/schema/?format=json").json()["paths"]
    assert "/api/v1/agency/brands/" in main and not any(p.startswith("/api/v1/mentions") for p in main)
    assert "/api/v1/mentions/" in brand and "/api/v1/agency/brands/" not in brand
