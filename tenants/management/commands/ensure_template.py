from django.core.management.base import BaseCommand

from tenants.services import template_brand_ensure


class Command(BaseCommand):
    help = "Create the template schema new brands are cloned from (runs tenant migrations once)."

    def handle(self, *args, **options):
        brand = template_brand_ensure()
        self.stdout.write(f"Template schema ready: {brand.schema_name}")
