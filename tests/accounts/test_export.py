"""Brand export: the command writes every table of the brand's schema as JSON lines with a
manifest, the export is on the audit trail, and the archive restores into an empty brand with
identical row counts; another brand's rows never appear in it."""

import json
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.utils import tenant_context

from tenants.export import brand_tables
from tenants.models import Agency, AuditEvent, Brand
from tenants.services import brand_create

pytestmark = pytest.mark.django_db


def counts(schema: str) -> dict:
    result = {}
    with connection.cursor() as cursor:
        for table in brand_tables(schema):
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            result[table] = cursor.fetchone()[0]
    return result


@pytest.fixture
def brand_a_with_data(brand_a):
    from incidents.webhooks import webhook_subscription_create

    with tenant_context(brand_a):
        webhook_subscription_create(name="Ops", url="https://hooks.example.com/x", events=["*"])
    connection.set_schema_to_public()
    return brand_a


def test_export_writes_every_table_with_a_manifest_and_restores(brand_a_with_data, brand_b, tmp_path):
    brand_a = brand_a_with_data
    with tenant_context(brand_b):
        from incidents.webhooks import webhook_subscription_create

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
