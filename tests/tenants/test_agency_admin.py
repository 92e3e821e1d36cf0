"""The agency admin on the main host: agency members manage their own agency's brands only."""

import pytest

from tenants.models import AgencyMembership, Brand, User
from tenants.services import agency_create, brand_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(brand_a):
    user = User.objects.create_user("pemilik@example.com", "x")
    AgencyMembership.objects.create(user=user, agency=brand_a.agency, role="owner")
    return user


def test_agency_owner_sees_only_own_agency_brands(main_client, owner):
    other = agency_create(slug="lain", name="Lain PR")
    brand_create(agency=other, slug="bukan-kita", name="Bukan Kita")
    response = main_client.login_as(owner).get("/admin/tenants/brand/")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Kopi Nusantara" in content
    assert "Bukan Kita" not in content


def test_adding_a_brand_in_the_admin_provisions_it(main_client, owner, brand_a):
    response = main_client.login_as(owner).post(
        "/admin/tenants/brand/add/",
        {
            "agency": brand_a.agency_id,
            "slug": "soto-betawi",
            "name": "Soto Betawi",
            "timezone": "Asia/Jakarta",
            "default_language": "id",
            "colour": "#0f766e",
            "custom_domains": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    brand = Brand.objects.get(slug="soto-betawi")
    assert brand.ready and brand.primary_host == "soto-betawi.tanggap.test"


def test_adding_a_brand_with_a_taken_slug_shows_a_message(main_client, owner, brand_a):
    response = main_client.login_as(owner).post(
        "/admin/tenants/brand/add/",
        {
            "agency": brand_a.agency_id,
            "slug": "kopi",
            "name": "Again",
            "timezone": "Asia/Jakarta",
            "default_language": "id",
            "colour": "#0f766e",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert "already" in response.content.decode()


def test_brand_staff_without_agency_membership_cannot_use_the_agency_admin(main_client, ayu):
    assert main_client.login_as(ayu).get("/admin/tenants/brand/").status_code == 302
