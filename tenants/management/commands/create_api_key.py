from django.core.management.base import CommandError

from tenants.management.commands._base import ServiceCommand
from tenants.models import Brand
from tenants.services import api_key_create


class Command(ServiceCommand):
    help = "Create a brand API key. The key is printed once, as the last word of the last line."

    def add_arguments(self, parser):
        parser.add_argument("brand_slug")
        parser.add_argument("--name", default="API key")
        parser.add_argument(
            "--scopes",
            default="read,intake,write",
            help="Comma-separated: read (GETs), intake (mentions and metrics), write (everything else).",
        )

    def handle(self, *args, brand_slug, name, scopes, **options):
        brand = Brand.objects.filter(slug=brand_slug, is_template=False).first()
        if brand is None:
            raise CommandError(f"No brand with slug {brand_slug!r}.")
        key, plain = api_key_create(
            brand=brand, name=name, scopes=[s.strip() for s in scopes.split(",") if s.strip()]
        )
        self.stdout.write(
            f"Created key {key.prefix} ({key.name}, scopes {','.join(key.scopes)}) for {brand.slug}; "
            "it is not shown again."
        )
        self.stdout.write(f"Key: {plain}")
