"""Recompute the mention and follower rollups of one brand, or of every ready brand, from the raw
rows. Safe to run again (the same data gives the same rows)."""

from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from incidents.rollups import rollups_rebuild
from tenants.models import Brand


class Command(BaseCommand):
    help = (
        "Rebuild the hourly mention and follower rollups of one brand (--brand SLUG) or of every ready brand."
    )

    def add_arguments(self, parser):
        parser.add_argument("--brand", help="The brand's slug; every ready brand when left out.")

    def handle(self, *args, brand=None, **options):
        brands = Brand.objects.filter(ready=True, is_template=False)
        if brand:
            brands = brands.filter(slug=brand)
            if not brands.exists():
                raise CommandError(f"No ready brand with the slug {brand!r}.")
        for item in brands.order_by("slug"):
            with tenant_context(item):
                counts = rollups_rebuild()
            self.stdout.write(
                f"{item.slug}: {counts['mention_cells']} mention cells, {counts['follower_cells']} follower cells"
            )
