"""Add a custom (white-label) host to a brand through the same rule as the admin and API."""

from django.core.management.base import CommandError

from tenants.management.commands._base import ServiceCommand
from tenants.models import Brand
from tenants.services import domain_add


class Command(ServiceCommand):
    help = "Add a custom host name to a brand. Main hosts and names under BASE_DOMAIN are refused."

    def add_arguments(self, parser):
        parser.add_argument("brand_slug")
        parser.add_argument("host")

    def handle(self, *args, brand_slug, host, **options):
        brand = Brand.objects.filter(slug=brand_slug, is_template=False).first()
        if brand is None:
            raise CommandError(f"No brand with slug {brand_slug!r}.")
        domain = domain_add(brand=brand, host=host)
        self.stdout.write(f"Added {domain.domain} to {brand.slug}")
