"""Tenant isolation: a grant on brand A opens brand A only, through the admin and the API."""

import pytest

from tests.helpers import BRAND_A, bearer, brand_host

pytestmark = pytest.mark.django_db


def test_granted_user_enters_own_brand_admin(client_a, ayu):
    response = client_a.login_as(ayu).get("/admin/")
    assert response.status_code == 200


def test_user_granted_on_b_cannot_enter_brand_a_admin(client_a, citra):
    # Refused with a page that says so (no longer a silent return to the login form).
    response = client_a.login_as(citra).get("/admin/")
    assert response.status_code == 403
    assert "no access to Kopi Nusantara" in response.content.decode()


def test_superuser_without_grant_is_refused_on_a_brand_host(client_a, oscar):
    response = client_a.login_as(oscar).get("/admin/")
    assert response.status_code == 403
    assert "no access to Kopi Nusantara" in response.content.decode()


def test_superuser_without_grant_gets_404_from_brand_api(client_a, oscar):
    response = client_a.login_as(oscar).get("/api/v1/whoami/")
    assert response.status_code == 404


def test_api_key_of_brand_a_is_refused_on_brand_b_host(client_b, api_key_a):
    response = client_b.get("/api/v1/whoami/", **bearer(api_key_a))
    assert response.status_code == 404


def test_api_key_works_on_its_own_brand(client_a, api_key_a):
    response = client_a.get("/api/v1/whoami/", **bearer(api_key_a))
    assert response.status_code == 200
    assert response.json()["brand"] == BRAND_A
    assert response.json()["role"] == "integration"


def test_revoked_key_is_refused(client_a, brand_a):
    from tenants.models import BrandApiKey
    from tenants.services import api_key_create, api_key_revoke

    key, plain = api_key_create(brand=brand_a, name="old")
    api_key_revoke(key_id=key.pk)
    response = client_a.get("/api/v1/whoami/", **bearer(plain))
    assert response.status_code == 401
    assert BrandApiKey.objects.get(pk=key.pk).revoked_at is not None


def test_key_is_stored_hashed_and_last_use_recorded(client_a, brand_a):
    from tenants.models import BrandApiKey
    from tenants.services import api_key_create

    key, plain = api_key_create(brand=brand_a, name="hash check")
    stored = BrandApiKey.objects.get(pk=key.pk)
    assert plain.split("_")[-1] not in stored.hashed_key
    assert stored.last_used_at is None
    client_a.get("/api/v1/whoami/", **bearer(plain))
    assert BrandApiKey.objects.get(pk=key.pk).last_used_at is not None


def test_client_viewer_reads_brand_api(client_a, budi):
    response = client_a.login_as(budi).get("/api/v1/whoami/")
    assert response.status_code == 200
    assert response.json()["role"] == "client_viewer"


def test_session_from_brand_b_host_does_not_open_brand_a(client_b, citra):
    client_b.login_as(citra)
    assert client_b.get("/admin/").status_code == 200
    # Same session cookie, other host: still refused because the grant is per brand.
    client_b.defaults["HTTP_HOST"] = brand_host(BRAND_A)
    assert client_b.get("/api/v1/whoami/").status_code == 404


def test_unknown_host_is_404(db, client):
    assert client.get("/admin/", HTTP_HOST="nobody.example.org").status_code == 404


def test_agency_owner_sees_all_brands_of_own_agency_only(db, ayu, brand_a):
    from tenants.models import Agency, AgencyMembership, User
    from tenants.selectors import brand_list_for_user, brand_role_get
    from tenants.services import agency_create

    owner = User.objects.create_user("owner@example.com", "x")
    AgencyMembership.objects.create(user=owner, agency=brand_a.agency, role="owner")
    slugs = set(brand_list_for_user(user=owner).values_list("slug", flat=True))
    assert {"kopi", "batik"} <= slugs
    other = agency_create(slug="lain", name="Lain")
    outsider = User.objects.create_user("outsider@example.com", "x")
    AgencyMembership.objects.create(user=outsider, agency=other, role="owner")
    assert brand_role_get(user=outsider, brand=brand_a) is None
    assert Agency.objects.count() >= 2
