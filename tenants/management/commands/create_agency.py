from tenants.management.commands._base import ServiceCommand
from tenants.services import agency_create


class Command(ServiceCommand):
    help = "Create an agency: create_agency <slug> --name 'Agency name'"

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)

    def handle(self, *args, slug, name, **options):
        agency = agency_create(slug=slug, name=name)
        self.stdout.write(f"Created agency {agency.slug} ({agency.name})")
