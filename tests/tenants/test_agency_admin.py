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


def test_agency_owner_cannot_grant_on_another_agencys_brand(main_client, owner, ayu):
    other = agency_create(slug="saingan", name="Saingan PR")
    foreign = brand_create(agency=other, slug="milik-lain", name="Milik Lain")
    response = main_client.login_as(owner).post(
        "/admin/tenants/brandgrant/add/", {"user": ayu.pk, "brand": foreign.pk, "role": "crisis_manager"}
    )
    assert response.status_code == 200  # the form is shown again with an error
    assert "Select a valid choice" in response.content.decode()
    from tenants.models import BrandGrant

    assert not BrandGrant.objects.filter(user=ayu, brand=foreign).exists()


def test_agency_owner_cannot_add_a_domain_or_key_to_another_agencys_brand(main_client, owner):
    from tenants.models import BrandApiKey, Domain

    other = agency_create(slug="pesaing", name="Pesaing PR")
    foreign = brand_create(agency=other, slug="punya-orang", name="Punya Orang")
    client = main_client.login_as(owner)
    domain = client.post("/admin/tenants/domain/add/", {"domain": "x.example.org", "tenant": foreign.pk})
    key = client.post("/admin/tenants/brandapikey/add/", {"brand": foreign.pk, "name": "sneaky"})
    assert domain.status_code == key.status_code == 200
    assert not Domain.objects.filter(domain="x.example.org").exists()
    assert not BrandApiKey.objects.filter(name="sneaky").exists()


def test_domain_added_in_the_admin_is_validated(main_client, owner, brand_a):
    from tenants.models import Domain

    response = main_client.login_as(owner).post(
        "/admin/tenants/domain/add/", {"domain": "not a host!", "tenant": brand_a.pk}
    )
    assert response.status_code == 200
    assert "Invalid domain" in response.content.decode()
    assert not Domain.objects.filter(domain="not a host!").exists()


def test_bad_brand_input_in_the_admin_is_a_field_error_that_keeps_the_form(main_client, owner, brand_a):
    response = main_client.login_as(owner).post(
        "/admin/tenants/brand/add/",
        {
            "agency": brand_a.agency_id,
            "slug": "nasi-goreng",
            "name": "Nasi Goreng",
            "timezone": "Mars/Olympus",
            "default_language": "id",
            "colour": "#0f766e",
            "custom_domains": "",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Unknown time zone" in content
    assert 'value="nasi-goreng"' in content  # what was typed is kept
    assert not Brand.objects.filter(slug="nasi-goreng").exists()


def test_agency_member_must_pick_an_agency(main_client, owner):
    response = main_client.login_as(owner).post(
        "/admin/tenants/brand/add/",
        {
            "slug": "tanpa-agensi",
            "name": "X",
            "timezone": "Asia/Jakarta",
            "default_language": "id",
            "colour": "#0f766e",
        },
    )
    assert response.status_code == 200
    assert not Brand.objects.filter(slug="tanpa-agensi").exists()
