"""Demo care cases in the demo brand (run by seed_demo after the people exist). Safe to run again."""

from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from incidents.demo_care import care_demo_seed
from tenants.models import Brand

DEMO_BRAND = "kopi-nusantara"


class Command(BaseCommand):
    help = "Add demo care cases (resolved with a closing reply, in private, invited, new) to the demo brand."

    def handle(self, *args, **options):
        brand = Brand.objects.filter(slug=DEMO_BRAND, ready=True).first()
        if brand is None:
            self.stdout.write(f"No ready brand {DEMO_BRAND!r}; run seed_demo first.")
            return
        with tenant_context(brand):
            opened = care_demo_seed()
        self.stdout.write(f"Demo care cases opened now: {opened}")
