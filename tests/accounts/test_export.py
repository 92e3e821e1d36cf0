"""Brand export: the command writes every table of the brand's schema as JSON lines with a
manifest, the export is on the audit trail, and the archive restores into an empty brand with
identical row counts; another brand's rows never appear in it."""

import io
import json
import zipfile

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import tenant_context

from tenants.export import brand_tables
from tenants.models import Agency, AuditEvent, Brand
from tenants.services import brand_create


def counts(schema: str) -> dict:
    result = {}
    with connection.cursor() as cursor:
        for table in brand_tables(schema):
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            result[table] = cursor.fetchone()[0]
    return result


@pytest.fixture
def brand_a_with_data(brand_a):
    from incidents.services.webhooks import webhook_subscription_create

    with tenant_context(brand_a):
        webhook_subscription_create(name="Ops", url="https://hooks.example.com/x", events=["*"])
    connection.set_schema_to_public()
    return brand_a


@pytest.mark.django_db
def test_export_writes_every_table_with_a_manifest_and_restores(brand_a_with_data, brand_b, tmp_path):
    brand_a = brand_a_with_data
    with tenant_context(brand_b):
        from incidents.services.webhooks import webhook_subscription_create

        webhook_subscription_create(name="Batik only", url="https://hooks.example.com/b", events=["*"])
    connection.set_schema_to_public()
    archive_path = tmp_path / "kopi.zip"
    call_command("export_brand", brand_a.slug, str(archive_path))

    expected = counts(brand_a.schema_name)
    with zipfile.ZipFile(archive_path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["brand"]["slug"] == brand_a.slug and manifest["brand"]["timezone"] == brand_a.timezone
        assert manifest["tables"] == expected  # every table, every row
        webhooks = archive.read("tables/incidents_webhooksubscription.jsonl").decode().splitlines()
        assert [json.loads(line)["name"] for line in webhooks] == ["Ops"]
        assert "Batik only" not in "".join(
            archive.read(n).decode() for n in archive.namelist() if n.endswith(".jsonl")
        )
    assert expected["incidents_webhooksubscription"] == 1

    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, brand_id=brand_a.pk).latest("id")
    assert event.changes["rows"] == sum(expected.values())

    empty = brand_create(agency=Agency.objects.get(slug="suara"), slug="kosong", name="Kosong")
    call_command("restore_brand", empty.slug, str(archive_path))
    restored = counts(Brand.objects.get(slug="kosong").schema_name)
    assert {t: n for t, n in restored.items() if t != "django_migrations"} == {
        t: n for t, n in expected.items() if t != "django_migrations"
    }
    with tenant_context(empty):
        from incidents.models import WebhookSubscription

        assert list(WebhookSubscription.objects.values_list("name", flat=True)) == ["Ops"]


@pytest.mark.django_db
def test_agency_admin_export_action_task_and_single_use_download(
    ayu, oscar, django_capture_on_commit_callbacks
):
    """The Brand list's action queues the export task after commit; the task makes the archive;
    its requester's link works once, and nobody else's session may use it."""
    from unittest import mock

    from django.test import Client

    from tenants.export import export_path
    from tenants.models import BrandExport
    from tenants.services import agency_membership_set
    from tenants.tasks import brand_export_task

    brand = Brand.objects.get(slug="kopi")
    client = Client(HTTP_HOST=settings.BASE_DOMAIN)
    client.force_login(oscar)
    with (
        mock.patch.object(brand_export_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            "/admin/tenants/brand/", {"action": "export_brands", "_selected_action": [brand.pk]}
        )
    assert response.status_code == 302
    export = BrandExport.objects.get(brand=brand, requested_by=oscar)
    delay.assert_called_once_with(str(export.pk))
    try:
        assert brand_export_task.apply(args=[str(export.pk)]).get() == BrandExport.State.DONE
        assert (
            brand_export_task.apply(args=[str(export.pk)]).get() == BrandExport.State.DONE
        )  # a repeat: no-op
        export.refresh_from_db()
        assert export.tables == len(brand_tables(brand.schema_name)) and export.expires_at

        url = f"/admin/tenants/brandexport/{export.pk}/download/"
        agency_membership_set(email=ayu.email, agency_slug="suara", role="owner")
        someone_else = Client(HTTP_HOST=settings.BASE_DOMAIN)
        someone_else.force_login(ayu)
        assert someone_else.get(url).status_code == 302  # refused: not the requester
        download = client.get(url)
        assert download.status_code == 200
        with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
            assert json.loads(archive.read("manifest.json"))["brand"]["slug"] == "kopi"
        assert client.get(url).status_code == 302  # the link works once
    finally:
        export_path(export).unlink(missing_ok=True)


@pytest.mark.django_db
def test_an_expired_export_link_is_refused(oscar, tmp_path):
    from datetime import timedelta

    from django.utils import timezone

    from tenants.errors import DomainError
    from tenants.export import brand_export_download
    from tenants.models import BrandExport

    export = BrandExport.objects.create(
        brand=Brand.objects.get(slug="kopi"),
        requested_by=oscar,
        state=BrandExport.State.DONE,
        expires_at=timezone.now() - timedelta(seconds=1),
    )
    with pytest.raises(DomainError, match="expired"):
        brand_export_download(export_id=export.pk, user=oscar)


def test_a_real_worker_makes_the_export(committed_db, celery_worker):
    """The queued task reaches a real worker, which writes the archive in public."""
    from tenants.export import brand_export_request, export_path
    from tenants.models import BrandExport, User
    from tests.worker import wait_for

    # Not the cast's fixtures: they open the per-test transaction the worker could not see into.
    oscar = User.objects.get(email="oscar@example.com")
    export = brand_export_request(brand=Brand.objects.get(slug="kopi"), actor=oscar)
    try:
        wait_for(
            lambda: (
                BrandExport.objects.get(pk=export.pk).state
                in (BrandExport.State.DONE, BrandExport.State.FAILED)
            ),
            timeout=60,
            message=f"the export; worker log:\n{celery_worker.read_text()[-2000:]}",
        )
        export.refresh_from_db()
        assert export.state == BrandExport.State.DONE, export.error
        assert export_path(export).exists()
    finally:
        export_path(export).unlink(missing_ok=True)
        BrandExport.objects.filter(pk=export.pk).delete()
