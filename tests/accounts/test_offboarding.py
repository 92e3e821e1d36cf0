"""Offboarding: a deactivated brand's hosts and API are refused and it gets no periodic work; it
can be restored within the grace period; afterwards the periodic task deletes its schema, media,
domains, grants and keys, and the deletion is on the agency's trail."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_exists

from tenants.errors import DomainError
from tenants.models import Agency, AuditEvent, Brand, BrandApiKey, BrandGrant, Domain
from tenants.services import (
    api_key_create,
    brand_create,
    brand_deactivate,
    brand_reactivate,
    grant_set,
    ready_brands_iter,
)
from tenants.tasks import brands_delete_expired_task
from tests.helpers import BRAND_A, BRAND_B, bearer, brand_host

pytestmark = pytest.mark.django_db


def test_deactivated_brand_host_api_and_tasks_are_refused_until_restored(brand_a, brand_b, ayu, api_key_a):
    brand_deactivate(brand=brand_a, actor=None)
    client = Client(HTTP_HOST=brand_host(BRAND_A))
    client.force_login(ayu)
    page = client.get("/admin/")
    assert page.status_code == 410 and b"no longer served" in page.content
    assert Client(HTTP_HOST=brand_host(BRAND_A)).get("/admin/login/").status_code == 410  # nobody enters
    assert (
        Client(HTTP_HOST=brand_host(BRAND_A)).get("/api/v1/whoami/", **bearer(api_key_a)).status_code == 410
    )
    assert BRAND_A not in [b.slug for b in ready_brands_iter()] and BRAND_B in [
        b.slug for b in ready_brands_iter()
    ]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.BRAND_DEACTIVATED, brand_id=brand_a.pk).exists()
    # Brand B is untouched.
    assert Client(HTTP_HOST=brand_host(BRAND_B)).get("/admin/login/").status_code == 200

    brand_reactivate(brand=brand_a)
    assert client.get("/admin/").status_code == 200


def test_restore_is_refused_after_the_grace_period(brand_a):
    brand_deactivate(brand=brand_a)
    Brand.objects.filter(pk=brand_a.pk).update(
        deactivated_at=timezone.now() - timedelta(days=settings.BRAND_DELETION_GRACE_DAYS, seconds=1)
    )
    with pytest.raises(DomainError):
        brand_reactivate(brand=brand_a)


def test_deletion_after_grace_leaves_no_schema_media_domain_grant_or_key(ayu, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    agency = Agency.objects.get(slug="suara")
    brand = brand_create(agency=agency, slug="pergi", name="Pergi", custom_domains=["pergi.example.com"])
    grant_set(email=ayu.email, brand_slug="pergi", role="crisis_manager")
    api_key_create(brand=brand, name="k")
    media = tmp_path / brand.schema_name
    media.mkdir()
    (media / "logo.png").write_bytes(b"x")
    brand_deactivate(brand=brand)

    assert brands_delete_expired_task.apply().get() == 0  # still within the grace period
    assert schema_exists(brand.schema_name)

    Brand.objects.filter(pk=brand.pk).update(deactivated_at=timezone.now() - timedelta(days=31))
    assert brands_delete_expired_task.apply().get() == 1
    assert not Brand.objects.filter(pk=brand.pk).exists()
    assert not schema_exists(brand.schema_name)
    assert not media.exists()
    assert not Domain.objects.filter(domain__in=["pergi.example.com", brand_host("pergi")]).exists()
    assert not BrandGrant.objects.filter(brand_id=brand.pk).exists()
    assert not BrandApiKey.objects.filter(brand_id=brand.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.BRAND_DELETED, brand_id=brand.pk)
    assert event.agency_id == agency.pk and event.brand_slug == "pergi"
