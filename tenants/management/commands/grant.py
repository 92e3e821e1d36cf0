from tenants.management.commands._base import ServiceCommand
from tenants.models import BrandGrant
from tenants.services import grant_set


class Command(ServiceCommand):
    help = f"Give a user a role on a brand. Roles: {', '.join(BrandGrant.Role.values)}"

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("brand_slug")
        parser.add_argument("role")

    def handle(self, *args, email, brand_slug, role, **options):
        grant = grant_set(email=email, brand_slug=brand_slug, role=role)
        self.stdout.write(f"Granted {grant.get_role_display()} on {grant.brand.slug} to {grant.user.email}")
