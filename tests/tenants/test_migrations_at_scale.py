"""`migrate_schemas` visits only the brand schemas that lack a migration: one catalog query finds
them, the schemas already current are skipped, a schema that is behind is migrated."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from tenants.migration_executor import schemas_behind

pytestmark = pytest.mark.django_db


def _forget_latest_migration(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{schema}".django_migrations WHERE id = (SELECT max(id) FROM "{schema}".django_migrations)'  # noqa: S608
        )


@pytest.fixture
def migrated(monkeypatch):
    """The schemas django-tenants' per-schema migrate is called for (recorded, not run)."""
    seen = []
    monkeypatch.setattr(
        "django_tenants.migration_executors.standard.run_migrations",
        lambda args, options, codename, schema_name, **kw: seen.append(schema_name),
    )
    return seen


def test_schemas_at_the_latest_migration_are_not_behind(brand_a, brand_b):
    schemas = [brand_a.schema_name, brand_b.schema_name, settings.TENANT_BASE_SCHEMA]
    assert schemas_behind(schemas) == []


def test_a_schema_missing_one_migration_or_its_table_is_behind(brand_a, brand_b):
    _forget_latest_migration(brand_b.schema_name)
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "brand_empty_scratch"')
    assert schemas_behind([brand_a.schema_name, brand_b.schema_name, "brand_empty_scratch"]) == [
        brand_b.schema_name,
        "brand_empty_scratch",
    ]


def test_a_no_op_migrate_schemas_visits_no_brand_schema(brand_a, brand_b, migrated):
    call_command("migrate_schemas", "--tenant", interactive=False, verbosity=0)
    assert migrated == []


def test_migrate_schemas_migrates_only_the_schema_that_is_behind(brand_a, brand_b, migrated):
    _forget_latest_migration(brand_b.schema_name)
    call_command("migrate_schemas", "--tenant", interactive=False, verbosity=0)
    assert migrated == [brand_b.schema_name]


def test_an_explicit_target_migration_still_visits_every_ready_schema(brand_a, brand_b, migrated):
    call_command("migrate_schemas", "--tenant", "incidents", interactive=False, verbosity=0)
    assert {brand_a.schema_name, brand_b.schema_name, settings.TENANT_BASE_SCHEMA} <= set(migrated)
