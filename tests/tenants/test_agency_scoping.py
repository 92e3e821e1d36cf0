"""Agency members see and pick only their own agency's brands and people, with two agencies side
by side; a person outside the agency is invited by email, never chosen by account id."""

import pytest
from django.contrib.auth.tokens import default_token_generator

from tenants.models import AgencyMembership, BrandGrant, User
from tenants.services import agency_create, brand_create, grant_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(brand_a):
    user = User.objects.create_user("pemilik@example.com", "x")
    AgencyMembership.objects.create(user=user, agency=brand_a.agency, role="owner")
    return user


@pytest.fixture
def rival():
    """A second agency with its own brand, owner and staff member."""
    agency = agency_create(slug="lain", name="Lain PR")
    brand = brand_create(agency=agency, slug="bukan-kita", name="Bukan Kita")
    boss = User.objects.create_user("bos.lain@example.com", "x")
    AgencyMembership.objects.create(user=boss, agency=agency, role="owner")
    User.objects.create_user("staf.lain@example.com", "x")
    grant_set(email="staf.lain@example.com", brand_slug=brand.slug, role="crisis_manager")
    return brand


def test_brand_list_filter_names_only_the_members_agency(main_client, owner, rival):
    content = main_client.login_as(owner).get("/admin/tenants/brand/").content.decode()
    assert "Suara" in content
    assert "Lain PR" not in content and "Bukan Kita" not in content


@pytest.mark.parametrize("path", ["/admin/tenants/brandgrant/", "/admin/tenants/brandapikey/"])
def test_grant_and_key_filters_name_only_the_members_brands(main_client, owner, rival, brand_a, path):
    from tenants.services import api_key_create

    api_key_create(brand=rival, name="their key")
    api_key_create(brand=brand_a, name="our key")
    content = main_client.login_as(owner).get(path).content.decode()
    assert "Bukan Kita" not in content
    assert "staf.lain@example.com" not in content and "bos.lain@example.com" not in content


def test_grant_form_offers_only_people_of_the_agency(main_client, owner, rival, ayu, citra):
    content = main_client.login_as(owner).get("/admin/tenants/brandgrant/add/").content.decode()
    assert ayu.email in content and citra.email in content  # granted on the agency's brands
    assert "staf.lain@example.com" not in content and "bos.lain@example.com" not in content
    assert "oscar@example.com" not in content  # the superuser is nobody's staff


def test_grant_form_refuses_an_outsiders_account_id_and_never_shows_their_email(
    main_client, owner, rival, brand_a
):
    stranger = User.objects.get(email="staf.lain@example.com")
    response = main_client.login_as(owner).post(
        "/admin/tenants/brandgrant/add/", {"user": stranger.pk, "brand": brand_a.pk, "role": "legal"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert stranger.email not in response.content.decode()
    assert not BrandGrant.objects.filter(user=stranger, brand=brand_a).exists()


def test_inviting_a_new_address_creates_an_account_without_a_password(main_client, owner, brand_a, client):
    response = main_client.login_as(owner).post(
        "/admin/tenants/brandgrant/add/",
        {"invite_email": "Baru@Example.com", "brand": brand_a.pk, "role": "customer_care"},
        follow=True,
    )
    assert response.status_code == 200
    user = User.objects.get(email="baru@example.com")
    assert not user.has_usable_password()
    assert BrandGrant.objects.get(user=user, brand=brand_a).role == "customer_care"
    link = next(m.message for m in response.context["messages"] if "set-password" in m.message)
    path = link[link.index("/accounts/") :]
    # The invitee sets a password through the link, once.
    confirm = client.get(path, HTTP_HOST="tanggap.test", follow=True)
    assert confirm.status_code == 200
    done = client.post(
        confirm.redirect_chain[-1][0],
        {"new_password1": "kopi-tubruk-2026!", "new_password2": "kopi-tubruk-2026!"},
        HTTP_HOST="tanggap.test",
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("kopi-tubruk-2026!")
    assert not default_token_generator.check_token(user, path.rstrip("/").rsplit("/", 1)[-1])


def test_inviting_an_existing_account_grants_without_a_password_link(main_client, owner, rival, brand_a):
    response = main_client.login_as(owner).post(
        "/admin/tenants/brandgrant/add/",
        {"invite_email": "staf.lain@example.com", "brand": brand_a.pk, "role": "legal"},
        follow=True,
    )
    assert response.status_code == 200
    assert BrandGrant.objects.filter(user__email="staf.lain@example.com", brand=brand_a).exists()
    assert not any("set-password" in m.message for m in response.context["messages"])


def test_invite_needs_exactly_one_of_person_or_email(main_client, owner, brand_a, ayu):
    client = main_client.login_as(owner)
    neither = client.post("/admin/tenants/brandgrant/add/", {"brand": brand_a.pk, "role": "legal"})
    both = client.post(
        "/admin/tenants/brandgrant/add/",
        {"user": ayu.pk, "invite_email": "x@example.com", "brand": brand_a.pk, "role": "legal"},
    )
    assert neither.status_code == both.status_code == 200
    assert not User.objects.filter(email="x@example.com").exists()


def test_grant_to_a_brand_of_another_agency_is_refused_by_invitation_too(main_client, owner, rival):
    response = main_client.login_as(owner).post(
        "/admin/tenants/brandgrant/add/",
        {"invite_email": "new@example.com", "brand": rival.pk, "role": "legal"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="new@example.com").exists()


def test_platform_superuser_sees_every_agency(main_client, oscar, rival):
    content = main_client.login_as(oscar).get("/admin/tenants/brand/").content.decode()
    assert "Suara" in content and "Lain PR" in content and "Bukan Kita" in content
    form = main_client.get("/admin/tenants/brandgrant/add/").content.decode()
    assert "staf.lain@example.com" in form


def test_agency_owner_changes_a_grants_role(main_client, owner, ayu, brand_a):
    grant = BrandGrant.objects.get(user=ayu, brand=brand_a)
    response = main_client.login_as(owner).post(
        f"/admin/tenants/brandgrant/{grant.pk}/change/", {"role": "spokesperson"}
    )
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.role == "spokesperson" and grant.user == ayu
