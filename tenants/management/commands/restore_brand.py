"""Load a brand archive made by export_brand into a brand (meant for a new, empty one)."""

from pathlib import Path

from django.core.management.base import CommandError

from tenants.export import brand_restore
from tenants.management.commands._base import ServiceCommand
from tenants.models import Brand


class Command(ServiceCommand):
    help = "Restore a brand export into an existing brand, replacing its rows (use a new, empty brand)."

    def add_arguments(self, parser):
        parser.add_argument("brand_slug")
        parser.add_argument("archive")

    def handle(self, *args, brand_slug, archive, **options):
        brand = Brand.objects.filter(slug=brand_slug, is_template=False).first()
        if brand is None:
            raise CommandError(f"No brand with slug {brand_slug!r}.")
        manifest = brand_restore(brand=brand, archive_path=Path(archive))
        self.stdout.write(f"Restored {sum(manifest['tables'].values())} rows into {brand.slug}")
