"""The main host cannot be claimed: no brand may add a main host, a name under it or under
BASE_DOMAIN (another brand's present or future primary host), localhost or an IP literal as a
custom domain, by any way in; and routing serves the main host first even if such a row exists."""

import io

import pytest
from django.core.management import CommandError, call_command

from tenants.errors import DomainError
from tenants.models import AgencyMembership, Brand, Domain, User
from tenants.services import brand_create, domain_add

pytestmark = pytest.mark.django_db

# BASE_DOMAIN is tanggap.test in the tests; MAIN_HOSTS is its default (BASE_DOMAIN, 127.0.0.1).
RESERVED = [
    "localhost",
    "LOCALHOST.",
    "survey.localhost",
    "127.0.0.1",
    "127.0.0.1:8000",
    "tanggap.test",
    "tanggap.test:8000",
    "Tanggap.TEST",
    "tanggap.test.",
    "TANGGAP.test.:443",
    "gamma.tanggap.test",  # a future brand's primary host
    "batik.tanggap.test",  # another brand's primary host
    "deep.kopi.tanggap.test",
    "10.0.0.7",
    "[::1]",
]


@pytest.fixture
def owner(brand_a):
    user = User.objects.create_user("pemilik@example.com", "x")
    AgencyMembership.objects.create(user=user, agency=brand_a.agency, role="owner")
    return user


def _no_bad_rows(before: set[str]) -> None:
    assert set(Domain.objects.values_list("domain", flat=True)) == before


@pytest.mark.parametrize("host", RESERVED)
def test_service_refuses_a_reserved_custom_domain(brand_a, host):
    before = set(Domain.objects.values_list("domain", flat=True))
    with pytest.raises(DomainError) as exc:
        domain_add(brand=brand_a, host=host)
    assert exc.value.field_errors["domain"]
    _no_bad_rows(before)


@pytest.mark.parametrize("host", RESERVED)
def test_brand_creation_refuses_a_reserved_custom_domain(brand_a, host):
    with pytest.raises(DomainError) as exc:
        brand_create(agency=brand_a.agency, slug="gamma", name="Gamma", custom_domains=[host])
    assert exc.value.field_errors["custom_domains"]
    assert not Brand.objects.filter(slug="gamma").exists()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "tanggap.test.", "gamma.tanggap.test"])
def test_agency_admin_domain_form_refuses_a_reserved_host(main_client, owner, brand_a, host):
    before = set(Domain.objects.values_list("domain", flat=True))
    response = main_client.login_as(owner).post(
        "/admin/tenants/domain/add/", {"domain": host, "tenant": brand_a.pk}
    )
    assert response.status_code == 200  # the form again, with the error on the domain field
    assert response.context["adminform"].form.errors["domain"]
    _no_bad_rows(before)


def test_agency_admin_brand_page_inline_refuses_a_reserved_host(main_client, oscar, brand_a):
    # Only the platform superuser gets the domains inline; the rule holds for them too.
    before = set(Domain.objects.values_list("domain", flat=True))
    domains = list(brand_a.domains.all())
    data = {
        "name": brand_a.name,
        "timezone": brand_a.timezone,
        "default_language": brand_a.default_language,
        "colour": brand_a.colour,
        "domains-TOTAL_FORMS": str(len(domains) + 1),
        "domains-INITIAL_FORMS": str(len(domains)),
        "domains-MIN_NUM_FORMS": "0",
        "domains-MAX_NUM_FORMS": "1000",
        "grants-TOTAL_FORMS": "0",
        "grants-INITIAL_FORMS": "0",
        "grants-MIN_NUM_FORMS": "0",
        "grants-MAX_NUM_FORMS": "1000",
    }
    for i, domain in enumerate(domains):
        data |= {
            f"domains-{i}-id": domain.pk,
            f"domains-{i}-tenant": brand_a.pk,
            f"domains-{i}-domain": domain.domain,
            f"domains-{i}-is_primary": "on" if domain.is_primary else "",
        }
    data |= {f"domains-{len(domains)}-tenant": brand_a.pk, f"domains-{len(domains)}-domain": "localhost"}
    response = main_client.login_as(oscar).post(f"/admin/tenants/brand/{brand_a.pk}/change/", data)
    assert response.status_code == 200, list(Domain.objects.values_list("domain", flat=True))
    assert "always means this machine" in response.content.decode()
    _no_bad_rows(before)


def test_agency_admin_brand_page_keeps_the_brands_own_primary_host(main_client, owner, brand_a):
    domain = brand_a.domains.get(is_primary=True)
    response = main_client.login_as(owner).post(
        f"/admin/tenants/domain/{domain.pk}/change/",
        {"domain": domain.domain, "tenant": brand_a.pk, "is_primary": "on"},
    )
    assert response.status_code == 302


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "TANGGAP.TEST", "gamma.tanggap.test"])
def test_agency_admin_brand_creation_refuses_a_reserved_custom_domain(main_client, owner, brand_a, host):
    response = main_client.login_as(owner).post(
        "/admin/tenants/brand/add/",
        {
            "agency": brand_a.agency_id,
            "slug": "soto-padang",
            "name": "Soto Padang",
            "timezone": "Asia/Jakarta",
            "default_language": "id",
            "colour": "#0f766e",
            "custom_domains": host,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["custom_domains"]
    assert not Brand.objects.filter(slug="soto-padang").exists()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "tanggap.test:8000", "gamma.tanggap.test"])
def test_agency_api_brand_creation_refuses_a_reserved_custom_domain(main_client, owner, host):
    response = main_client.login_as(owner).post(
        "/api/v1/agency/brands/",
        {"agency": "suara", "slug": "rendang", "name": "Rendang", "custom_domains": [host]},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["custom_domains"]
    assert not Brand.objects.filter(slug="rendang").exists()


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "tanggap.test.", "gamma.tanggap.test"])
def test_commands_refuse_a_reserved_custom_domain(brand_a, host):
    with pytest.raises(CommandError):
        call_command(
            "create_brand", "suara", "gamma", "--name", "Gamma", "--domain", host, stdout=io.StringIO()
        )
    assert not Brand.objects.filter(slug="gamma").exists()
    with pytest.raises(CommandError):
        call_command("add_domain", "kopi", host, stdout=io.StringIO())
    assert not Domain.objects.filter(domain__in=[host, host.rstrip(".").lower()], tenant=brand_a).exists()


def test_add_domain_command_adds_an_ordinary_custom_domain(brand_a, client):
    out = io.StringIO()
    call_command("add_domain", "kopi", "Ulasan.Kopi.Example.", stdout=out)
    assert "ulasan.kopi.example" in out.getvalue()
    assert client.get("/healthz", HTTP_HOST="ulasan.kopi.example").json()["schema"] == "brand_kopi"


def test_a_slug_whose_primary_host_is_a_main_host_is_refused(brand_a, settings):
    settings.MAIN_HOSTS = ["tanggap.test", "127.0.0.1", "agency.tanggap.test"]
    with pytest.raises(DomainError) as exc:
        brand_create(agency=brand_a.agency, slug="agency", name="Agency")
    assert exc.value.field_errors["slug"]


@pytest.mark.parametrize(
    "host",
    ["tanggap.test", "TANGGAP.TEST", "tanggap.test.", "tanggap.test:8000", "127.0.0.1", "127.0.0.1:8000"],
)
def test_main_host_routes_to_public_even_if_a_brand_row_claims_it(brand_a, client, host):
    # A row written before the rule (or by hand in the database) must not capture the main host.
    Domain.objects.create(domain="tanggap.test", tenant=brand_a, is_primary=False)
    Domain.objects.create(domain="127.0.0.1", tenant=brand_a, is_primary=False)
    assert client.get("/healthz", HTTP_HOST=host).json()["schema"] == "public"
    assert client.get("/admin/login/", HTTP_HOST=host).status_code == 200


def test_brand_host_still_routes_with_case_port_and_trailing_dot(brand_a, client):
    for host in ("KOPI.tanggap.test", "kopi.tanggap.test.", "kopi.tanggap.test:8000"):
        assert client.get("/healthz", HTTP_HOST=host).json()["schema"] == "brand_kopi", host
