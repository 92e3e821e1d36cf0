"""Celery beat on django-celery-beat's database scheduler (editable in the agency admin), which
fans a code-defined periodic task out to every ready brand and runs admin-defined ones in public."""

from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.db_scheduler import TenantAwareDatabaseScheduler


class ReadyBrandScheduler(TenantAwareDatabaseScheduler):
    @classmethod
    def get_queryset(cls):
        from tenants.models import Brand

        return Brand.objects.ready()

    def get_tenant_schema_names(self, exclude_schemas):
        # django-celery-beat's tables are shared (public only): reading them again from each
        # brand's search path would list every task once per brand.
        return []

    def apply_entry(self, entry, producer=None):
        headers = entry.options.setdefault("headers", {})
        if not headers.get("_all_tenants_only") and headers.get("_schema_name") == get_public_schema_name():
            return self.apply_async(entry, producer=producer, advance=False)
        return super().apply_entry(entry, producer=producer)
