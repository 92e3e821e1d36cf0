"""The operator commands: scriptable output and a clear error on bad input."""

import io

import pytest
from django.core.management import CommandError, call_command

from tenants.models import Brand, BrandApiKey, BrandGrant

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_agency_and_brand_print_the_host():
    run("create_agency", "nusa", "--name", "Nusa PR")
    out = run("create_brand", "nusa", "mie-aceh", "--name", "Mie Aceh")
    assert out.strip().splitlines()[-1] == "Host: mie-aceh.tanggap.test"
    assert Brand.objects.get(slug="mie-aceh").ready


def test_create_brand_for_unknown_agency_is_a_clear_error():
    with pytest.raises(CommandError, match="No agency with slug 'nope'"):
        run("create_brand", "nope", "brand-x", "--name", "X")


def test_create_brand_with_duplicate_slug_is_a_clear_error(brand_a):
    with pytest.raises(CommandError, match="already exists"):
        run("create_brand", "suara", "kopi", "--name", "Again")


def test_grant_sets_a_role_and_refuses_unknown_roles(ayu, brand_b):
    out = run("grant", "ayu@example.com", "batik", "spokesperson")
    assert "Spokesperson" in out
    assert BrandGrant.objects.get(user=ayu, brand=brand_b).role == "spokesperson"
    with pytest.raises(CommandError, match="Unknown role 'boss'"):
        run("grant", "ayu@example.com", "batik", "boss")
    with pytest.raises(CommandError, match="No user with email"):
        run("grant", "ghost@example.com", "batik", "legal")


def test_create_api_key_prints_the_key_once_as_the_last_word(brand_a, client_a):
    out = run("create_api_key", "kopi", "--name", "listening tool")
    key = out.strip().splitlines()[-1].split()[-1]
    assert key.startswith("tgp_")
    stored = BrandApiKey.objects.get(name="listening tool")
    assert key not in stored.hashed_key
    assert client_a.get("/api/v1/whoami/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


def test_seed_demo_is_idempotent():
    run("seed_demo")
    counts = (Brand.objects.count(), BrandGrant.objects.count())
    out = run("seed_demo")
    assert (Brand.objects.count(), BrandGrant.objects.count()) == counts
    assert "ayu@suara.test" in out and "tanggap-demo" in out
