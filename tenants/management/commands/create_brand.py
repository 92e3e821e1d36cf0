from django.conf import settings
from django.core.management.base import CommandError

from tenants.languages import LANGUAGE_CODES
from tenants.management.commands._base import ServiceCommand
from tenants.models import Agency
from tenants.services import brand_create


class Command(ServiceCommand):
    help = "Provision a brand by cloning the template schema and print its host."

    def add_arguments(self, parser):
        parser.add_argument("agency_slug")
        parser.add_argument("brand_slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--timezone", default=settings.BRAND_DEFAULT_TIMEZONE)
        parser.add_argument("--language", default="id", choices=LANGUAGE_CODES)
        parser.add_argument(
            "--domain", action="append", default=[], help="An extra custom host (repeatable)."
        )

    def handle(self, *args, agency_slug, brand_slug, name, timezone, language, domain, **options):
        agency = Agency.objects.filter(slug=agency_slug).first()
        if agency is None:
            raise CommandError(f"No agency with slug {agency_slug!r}; create it with create_agency.")
        brand = brand_create(
            agency=agency,
            slug=brand_slug,
            name=name,
            timezone_name=timezone,
            default_language=language,
            custom_domains=domain,
        )
        self.stdout.write(f"Created brand {brand.slug} ({brand.name})")
        self.stdout.write(f"Host: {brand.primary_host}")
