"""Provisioning clones the template schema, and bad input leaves nothing half-created."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_exists

from tenants.errors import DomainError
from tenants.models import Brand, Domain
from tenants.services import brand_create

pytestmark = pytest.mark.django_db


def _tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def test_new_brand_is_ready_with_every_tenant_table(brand_a):
    brand = brand_create(agency=brand_a.agency, slug="teh-manis", name="Teh Manis")
    assert brand.ready
    assert brand.primary_host == f"teh-manis.{settings.BASE_DOMAIN}"
    template_tables = _tables(settings.TENANT_BASE_SCHEMA)
    assert template_tables, "the template schema has tables"
    assert _tables(brand.schema_name) == template_tables
    assert "guardian_userobjectpermission" in template_tables


def test_provisioning_clones_the_template_instead_of_migrating(brand_a, monkeypatch):
    from django.core import management

    from tenants import services

    calls = []
    original = services.clone_schema

    def spy(*, source, target):
        calls.append((source, target))
        return original(source=source, target=target)

    def no_migrations(*args, **kwargs):
        raise AssertionError(f"provisioning ran a command: {args}")

    monkeypatch.setattr(services, "clone_schema", spy)
    monkeypatch.setattr(management, "call_command", no_migrations)
    brand_create(agency=brand_a.agency, slug="roti-bakar", name="Roti Bakar")
    assert calls == [(settings.TENANT_BASE_SCHEMA, "brand_roti_bakar")]


def test_cloned_brand_has_the_template_migrations_recorded(brand_a):
    brand = brand_create(agency=brand_a.agency, slug="es-campur", name="Es Campur")
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{brand.schema_name}".django_migrations')
        cloned = cursor.fetchone()[0]
        cursor.execute(f'SELECT count(*) FROM "{settings.TENANT_BASE_SCHEMA}".django_migrations')
        assert cloned == cursor.fetchone()[0] > 0


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("kopi", "already exists"),
        ("Bad Slug", "Invalid slug"),
        ("a", "Invalid slug"),
        ("9lives", "Invalid slug"),
        ("x" * 60, "Invalid slug"),
        ("template", "reserved"),
        ("drop;table", "Invalid slug"),
    ],
)
def test_bad_slug_is_refused_and_leaves_nothing(brand_a, slug, message):
    before = Brand.objects.count()
    with pytest.raises(DomainError, match=message):
        brand_create(agency=brand_a.agency, slug=slug, name="Anything")
    assert Brand.objects.count() == before


def test_bad_custom_domain_is_refused_before_any_schema_exists(brand_a):
    with pytest.raises(DomainError, match="Invalid domain"):
        brand_create(agency=brand_a.agency, slug="sate-ayam", name="Sate", custom_domains=["not a host!"])
    assert not schema_exists("brand_sate_ayam")
    assert not Brand.objects.filter(slug="sate-ayam").exists()


def test_domain_taken_by_another_brand_is_refused(brand_a):
    with pytest.raises(DomainError, match="Domain already in use"):
        brand_create(agency=brand_a.agency, slug="bakso", name="Bakso", custom_domains=[brand_a.primary_host])
    assert not schema_exists("brand_bakso")


def test_failure_after_cloning_rolls_back_the_schema(brand_a, monkeypatch):
    def broken_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Domain.objects, "create", broken_create)
    with pytest.raises(RuntimeError):
        brand_create(agency=brand_a.agency, slug="nasi-uduk", name="Nasi Uduk")
    assert not Brand.objects.filter(slug="nasi-uduk").exists()
    assert not schema_exists("brand_nasi_uduk")


def test_custom_domain_routes_to_the_brand(brand_a, client):
    brand = brand_create(
        agency=brand_a.agency, slug="gudeg", name="Gudeg", custom_domains=["ulasan.gudeg.example"]
    )
    assert set(brand.domains.values_list("domain", "is_primary")) == {
        (f"gudeg.{settings.BASE_DOMAIN}", True),
        ("ulasan.gudeg.example", False),
    }
    assert client.get("/healthz", HTTP_HOST="ulasan.gudeg.example").json()["schema"] == "brand_gudeg"


def test_unready_brand_is_skipped_by_migrations_and_fan_out(brand_a):
    from tenants.migration_executor import get_executor
    from tenants.services import fan_out_to_ready_brands

    brand = brand_create(agency=brand_a.agency, slug="pecel", name="Pecel")
    Brand.objects.filter(pk=brand.pk).update(ready=False)
    seen = []
    fan_out_to_ready_brands(lambda b: seen.append(b.slug))
    assert "pecel" not in seen and {"kopi", "batik"} <= set(seen)
    assert settings.TENANT_BASE_SCHEMA not in seen

    ran = []
    executor_class = get_executor("standard")
    executor = executor_class.__new__(executor_class)
    executor.args, executor.options = (), {"schema_name": None}
    base = executor_class.__mro__[1]  # the subclass filters, then hands on to django-tenants'
    original = base.run_migrations
    base.run_migrations = lambda self, tenants=None: ran.extend(tenants)
    try:
        executor.run_migrations(tenants=["brand_kopi", "brand_pecel", settings.TENANT_BASE_SCHEMA])
    finally:
        base.run_migrations = original
    assert ran == ["brand_kopi", settings.TENANT_BASE_SCHEMA]


def _normal(text: str, schema: str) -> str:
    # A replayed definition is re-parsed, so PostgreSQL may print the same predicate with its
    # casts and parentheses placed differently.
    return re.sub(r"::[a-z ]+(\[\])?|[()]", "", text.replace(f"{schema}.", "S."))


def _catalog(schema: str) -> dict[str, set]:
    """What a schema holds, with its own name taken out so two schemas compare."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path = pg_catalog")
        queries = {
            "relations": "SELECT relname, relkind::text, coalesce(array_to_string(reloptions, ','), '') "
            "FROM pg_class WHERE relnamespace = %s::regnamespace AND relkind <> 'S'",
            "constraints": "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE connamespace = %s::regnamespace",
            "indexes": "SELECT pg_get_indexdef(indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relnamespace = %s::regnamespace",
            "triggers": "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relnamespace = %s::regnamespace AND NOT t.tgisinternal",
            "columns": "SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
            "a.attidentity, coalesce(pg_get_expr(d.adbin, d.adrelid), '') FROM pg_attribute a "
            "JOIN pg_class c ON c.oid = a.attrelid LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped",
        }
        result = {}
        for name, sql in queries.items():
            cursor.execute(sql, [schema])
            result[name] = {tuple(_normal(str(v), schema) for v in row) for row in cursor.fetchall()}
        cursor.execute("RESET search_path")
    return result


def test_clone_matches_the_template_object_for_object(brand_a):
    brand = brand_create(agency=brand_a.agency, slug="klepon", name="Klepon")
    template, clone = _catalog(settings.TENANT_BASE_SCHEMA), _catalog(brand.schema_name)
    for kind in template:
        assert clone[kind] == template[kind], kind
    assert any("append_only" in t[0] for t in clone["triggers"])


def test_cloned_brand_counts_its_own_identity_from_the_template_rows(brand_a):
    brand = brand_create(agency=brand_a.agency, slug="lemper", name="Lemper")
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT max(id) FROM "{settings.TENANT_BASE_SCHEMA}".django_migrations')
        template_max = cursor.fetchone()[0]
        cursor.execute(
            f'INSERT INTO "{brand.schema_name}".django_migrations (app, name, applied) '
            "VALUES ('x', 'y', now()) RETURNING id"
        )
        assert cursor.fetchone()[0] == template_max + 1


def test_a_clone_reads_the_template_catalog_once_per_template_version(brand_a):
    """The catalog reads scan every brand's catalog rows: they are kept after the first clone, and a
    migration applied to the template (a new migration record) makes the next clone read them again
    and copy what it changed."""
    from django.test.utils import CaptureQueriesContext

    brand_create(agency=brand_a.agency, slug="onde-onde", name="Onde Onde")
    with CaptureQueriesContext(connection) as queries:
        second = brand_create(agency=brand_a.agency, slug="nagasari", name="Nagasari")
    catalog = [q["sql"] for q in queries.captured_queries if "pg_get_indexdef" in q["sql"]]
    assert not catalog, "the second clone read the template's catalog again"
    assert _tables(second.schema_name) == _tables(settings.TENANT_BASE_SCHEMA)

    template = settings.TENANT_BASE_SCHEMA
    with connection.cursor() as cursor:  # what a new migration of a tenant app does to the template
        cursor.execute(f'CREATE TABLE "{template}".incidents_newthing (id bigint PRIMARY KEY, note text)')
        cursor.execute(f'CREATE INDEX newthing_note ON "{template}".incidents_newthing (note)')
        cursor.execute(
            f'INSERT INTO "{template}".django_migrations (app, name, applied) '
            "VALUES ('incidents', '9999_newthing', now())"
        )
    with CaptureQueriesContext(connection) as queries:
        third = brand_create(agency=brand_a.agency, slug="lapis-legit", name="Lapis Legit")
    assert any("pg_get_indexdef" in q["sql"] for q in queries.captured_queries)
    assert "incidents_newthing" in _tables(third.schema_name)
    for kind, rows in _catalog(template).items():
        assert _catalog(third.schema_name)[kind] == rows, kind


def _keys_into_public(schema: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT con.conname FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid "
            "JOIN pg_class r ON r.oid = con.confrelid WHERE con.contype = 'f' "
            "AND t.relnamespace = %s::regnamespace AND r.relnamespace <> t.relnamespace",
            [schema],
        )
        return [row[0] for row in cursor.fetchall()]


def _triggers_on_users() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'public.tenants_user'::regclass")
        return cursor.fetchone()[0]


def test_a_brand_adds_no_foreign_key_into_public_nor_a_trigger_on_the_users_table(brand_a):
    """A key from a brand table into public is also a pair of triggers on the public table: with one
    per brand, the users table carried thousands, each new brand's keys cost more to add and every
    sign-in (an update of the user) checked them all."""
    assert _keys_into_public(settings.TENANT_BASE_SCHEMA) == []
    assert _keys_into_public(brand_a.schema_name) == []
    before = _triggers_on_users()
    brand = brand_create(agency=brand_a.agency, slug="serabi", name="Serabi")
    assert _keys_into_public(brand.schema_name) == []
    assert _triggers_on_users() == before


def test_the_migration_drops_the_keys_an_older_brand_still_has_into_public(brand_a):
    """What migrate_schemas does to a brand made before it: the admin log's and guardian's keys into
    public are dropped, the brand's own keys stay."""
    from importlib import import_module

    migration = import_module("incidents.migrations.0032_no_constraints_into_public")
    schema = brand_a.schema_name
    own_keys = _catalog(schema)["constraints"]
    with connection.cursor() as cursor:
        cursor.execute(
            f'ALTER TABLE "{schema}".django_admin_log ADD CONSTRAINT old_log_user '
            "FOREIGN KEY (user_id) REFERENCES public.tenants_user (id) DEFERRABLE INITIALLY DEFERRED"
        )
        cursor.execute(
            f'ALTER TABLE "{schema}".guardian_userobjectpermission ADD CONSTRAINT old_perm_type '
            "FOREIGN KEY (content_type_id) REFERENCES public.django_content_type (id) DEFERRABLE INITIALLY DEFERRED"
        )
        assert sorted(_keys_into_public(schema)) == ["old_log_user", "old_perm_type"]
        cursor.execute(f'SET search_path = "{schema}", public')
        cursor.execute(migration.DROP_KEYS_INTO_PUBLIC)
        cursor.execute("SET search_path = public")
    assert _keys_into_public(schema) == []
    assert _catalog(schema)["constraints"] == own_keys


def test_a_clone_leaves_no_compiled_trigger_function_behind_on_its_connection(brand_a):
    """Copying rows into an empty table still fires its statement-level triggers (the rollups), and
    PostgreSQL compiles and keeps a PL/pgSQL trigger function per table: a connection that made a
    thousand brands kept thousands, walked on every catalog change, so each clone cost more than
    the one before. A clone copies only the tables that hold rows."""

    def compiled_functions() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_backend_memory_contexts WHERE name = 'PL/pgSQL function'")
            return cursor.fetchone()[0]

    brand_create(agency=brand_a.agency, slug="kue-lumpur", name="Kue Lumpur")
    before = compiled_functions()
    for slug in ("kue-cubit", "kue-putu", "kue-ape"):
        brand_create(agency=brand_a.agency, slug=slug, name=slug)
    assert compiled_functions() == before
