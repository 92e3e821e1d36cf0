"""Write one brand's complete archive (every table as JSON lines, media, manifest) to a zip file."""

from pathlib import Path

from django.core.management.base import CommandError

from tenants.export import brand_export
from tenants.management.commands._base import ServiceCommand
from tenants.models import Brand


class Command(ServiceCommand):
    help = "Export a brand: every table of its schema as JSON lines, its media and a manifest, in a zip."

    def add_arguments(self, parser):
        parser.add_argument("brand_slug")
        parser.add_argument("output", help="the zip file to write")
        parser.add_argument(
            "--without-personal-data",
            action="store_true",
            help="leave customers' contact details, DM texts and free-text answers out",
        )

    def handle(self, *args, brand_slug, output, without_personal_data=False, **options):
        brand = Brand.objects.filter(slug=brand_slug, is_template=False).first()
        if brand is None:
            raise CommandError(f"No brand with slug {brand_slug!r}.")
        manifest = brand_export(
            brand=brand,
            target=Path(output),
            personal_data=not without_personal_data,
            progress=lambda done, total: self.stderr.write(f"\r{done}/{total} tables", ending=""),
        )
        self.stderr.write("")
        self.stdout.write(
            f"Wrote {output}: {len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, "
            f"{len(manifest['media'])} media files"
        )
