"""Re-encrypt customers' personal data with the current key after PERSONAL_DATA_KEYS gained a new
first value (see docs/care.md, "Personal data")."""

from django.core.management.base import CommandError
from django_tenants.utils import get_tenant_model, tenant_context

from incidents.services.care import personal_data_reencrypt
from tenants.management.commands._base import ServiceCommand


class Command(ServiceCommand):
    help = (
        "Re-encrypt care-case personal data with the first key of PERSONAL_DATA_KEYS, in every ready brand."
    )

    def add_arguments(self, parser):
        parser.add_argument("--schema", help="Only this brand's schema.")

    def handle(self, *args, schema=None, **options):
        brands = get_tenant_model().objects.ready()
        if schema:
            brands = brands.filter(schema_name=schema)
            if not brands.exists():
                raise CommandError(f"No ready brand with schema {schema!r}.")
        for brand in brands:
            with tenant_context(brand):
                written = personal_data_reencrypt()
            self.stdout.write(f"{brand.schema_name}: {written} row(s) re-encrypted")
