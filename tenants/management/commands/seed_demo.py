"""Idempotent demo data: two agencies, three brands, one user per role, logins printed."""

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from tenants.models import Agency, Brand, BrandGrant, User
from tenants.services import agency_create, agency_membership_set, brand_create, grant_set

DEMO_PASSWORD = "tanggap-demo"  # noqa: S105 - printed for the local demo on purpose

AGENCIES = [
    ("suara", "Suara Komunika", [("kopi-nusantara", "Kopi Nusantara"), ("batik-lestari", "Batik Lestari")]),
    ("lintas", "Lintas PR", [("warung-sehat", "Warung Sehat")]),
]
# (email, brand or agency slug, role); the cast the tests use too.
PEOPLE = [
    ("owner@suara.test", "suara", "owner"),
    ("admin@lintas.test", "lintas", "admin"),
    ("ayu@suara.test", "kopi-nusantara", BrandGrant.Role.CRISIS_MANAGER),
    ("sari@suara.test", "kopi-nusantara", BrandGrant.Role.SOCIAL_MEDIA_SPECIALIST),
    ("dewi@suara.test", "kopi-nusantara", BrandGrant.Role.SPOKESPERSON),
    ("hukum@suara.test", "kopi-nusantara", BrandGrant.Role.LEGAL),
    ("cs@suara.test", "kopi-nusantara", BrandGrant.Role.CUSTOMER_CARE),
    ("approver@kopi.test", "kopi-nusantara", BrandGrant.Role.CLIENT_APPROVER),
    ("budi@kopi.test", "kopi-nusantara", BrandGrant.Role.CLIENT_VIEWER),
    ("citra@suara.test", "batik-lestari", BrandGrant.Role.SOCIAL_MEDIA_SPECIALIST),
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo agencies, brands and users. Safe to run again."

    def handle(self, *args, **options):
        created = []
        for slug, name, brands in tqdm(AGENCIES, desc="agencies", unit="agency"):
            agency = Agency.objects.filter(slug=slug).first() or agency_create(slug=slug, name=name)
            for brand_slug, brand_name in brands:
                if not Brand.objects.filter(slug=brand_slug).exists():
                    brand_create(agency=agency, slug=brand_slug, name=brand_name)
                    created.append(brand_slug)
        with transaction.atomic():
            if not User.objects.filter(email="operator@tanggap.test").exists():
                User.objects.create_superuser(
                    "operator@tanggap.test", DEMO_PASSWORD, name="Platform operator"
                )
            for email, target, role in PEOPLE:
                user = User.objects.filter(email=email).first()
                if user is None:
                    User.objects.create_user(email, DEMO_PASSWORD, name=email.split("@")[0].title())
                if role in ("owner", "admin"):
                    agency_membership_set(email=email, agency_slug=target, role=role)
                else:
                    grant_set(email=email, brand_slug=target, role=role)
        self.stdout.write(f"Brands created now: {', '.join(created) or 'none (already there)'}")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        self.stdout.write("  operator@tanggap.test  platform superuser  http://localhost:8000/admin/")
        for email, target, role in PEOPLE:
            brand = Brand.objects.filter(slug=target).first()
            where = f"http://{brand.primary_host}:8000/admin/" if brand else "http://localhost:8000/admin/"
            self.stdout.write(f"  {email:24} {role:24} {where}")
