"""`migrate_schemas` without an explicit schema skips brands that are not ready, and schemas that
already hold every migration the code knows (found with one catalog query over all of them), so a
deploy at a thousand brands only visits the schemas that are behind."""

from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.migration_executors import get_executor as base_get_executor

# Options that ask for something other than "bring every schema up to date": with any of them
# every schema is visited, as django-tenants does.
_VISIT_ALL_OPTIONS = ("app_label", "migration_name", "fake", "fake_initial", "plan", "prune", "run_syncdb")


def schemas_behind(schema_names: list[str]) -> list[str]:
    """The schemas among `schema_names` that lack at least one migration of the code's graph (or
    have no migration table yet), in their given order. One query for all of them."""
    if not schema_names:
        return []
    expected = sorted(f"{app}.{name}" for app, name in MigrationLoader(None).graph.nodes)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND c.relkind = 'r' AND n.nspname = ANY(%s)",
            [list(schema_names)],
        )
        with_table = [row[0] for row in cursor.fetchall()]
        current: set[str] = set()
        if with_table:
            # Names come from the catalog, quoted as identifiers; the expected list is a parameter.
            quote = connection.ops.quote_name
            union = " UNION ALL ".join(
                f"SELECT %s AS schema_name, app || '.' || name AS migration FROM {quote(s)}.django_migrations"  # noqa: S608
                for s in with_table
            )
            cursor.execute(
                f"SELECT schema_name FROM ({union}) AS applied WHERE migration = ANY(%s) "  # noqa: S608
                "GROUP BY schema_name HAVING count(DISTINCT migration) = %s",
                [*with_table, expected, len(expected)],
            )
            current = {row[0] for row in cursor.fetchall()}
    return [s for s in schema_names if s not in current]


def get_executor(codename=None):
    base = base_get_executor(codename)

    class CurrentSchemasSkipped(base):
        def run_migrations(self, tenants=None):
            tenants = list(tenants or [])
            if not any(self.options.get(name) for name in _VISIT_ALL_OPTIONS):
                public = [t for t in tenants if t == "public"]
                tenants = public + schemas_behind([t for t in tenants if t != "public"])
                if int(self.options.get("verbosity", 1)) >= 1 and len(tenants) > len(public):
                    print(f"{len(tenants) - len(public)} schema(s) behind the code's migrations")
            if not tenants:
                return None
            return super().run_migrations(tenants=tenants)

    class ReadyBrandsExecutor(CurrentSchemasSkipped):
        def run_migrations(self, tenants=None):
            tenants = list(tenants or [])
            if not self.options.get("schema_name") and tenants != ["public"]:
                from tenants.models import Brand

                ready = set(Brand.objects.filter(ready=True).values_list("schema_name", flat=True))
                tenants = [t for t in tenants if t == "public" or t in ready]
            return super().run_migrations(tenants=tenants)

    return ReadyBrandsExecutor
