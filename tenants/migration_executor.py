"""`migrate_schemas` without an explicit schema skips brands that are not ready."""

from django_tenants.migration_executors import get_executor as base_get_executor


def get_executor(codename=None):
    base = base_get_executor(codename)

    class ReadyBrandsExecutor(base):
        def run_migrations(self, tenants=None):
            tenants = list(tenants or [])
            if not self.options.get("schema_name") and tenants != ["public"]:
                from tenants.models import Brand

                ready = set(Brand.objects.filter(ready=True).values_list("schema_name", flat=True))
                tenants = [t for t in tenants if t == "public" or t in ready]
            return super().run_migrations(tenants=tenants)

    return ReadyBrandsExecutor
