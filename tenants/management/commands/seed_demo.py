"""Idempotent demo data: two agencies, three brands, one user per role, logins printed, and each
app's part of the demo story (registered in tenants.demo) written into the demo brands."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django_tenants.utils import tenant_context
from tqdm import tqdm

from tenants.demo import DEMO_FINISHERS, DEMO_SEEDERS, demo_stories
from tenants.hosts import site_url
from tenants.models import Agency, Brand, BrandGrant, RetentionPolicy, User
from tenants.retention import retention_policy_get, retention_policy_set
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
            # Emails from the brand, replies to the people who run it; one person reads Indonesian.
            # Only blanks are filled, so a second run (or a setting changed since) keeps its value.
            Agency.objects.filter(slug="suara", reply_to_email="").update(reply_to_email="halo@suara.test")
            Brand.objects.filter(slug="kopi-nusantara", reply_to_email="").update(
                reply_to_email="humas@kopi.test"
            )
            User.objects.filter(email="dewi@suara.test", language="").update(language="id")
        users = {u.email: u for u in User.objects.filter(email__in=[p[0] for p in PEOPLE])}
        for _slug, _name, brands in AGENCIES:
            for brand_slug, _brand_name in brands:
                brand = Brand.objects.get(slug=brand_slug)
                with tenant_context(brand):
                    for seeder in DEMO_SEEDERS:
                        told = seeder(brand=brand, users=users)
                        if told:
                            self.stdout.write(f"{brand.name}: {told}")
        self.stdout.write(f"Brands created now: {', '.join(created) or 'none (already there)'}")
        # Kopi Nusantara's client asked for a shorter hold on raw mentions than the default: the
        # agency admin's Retention rules show one brand with its own rules and the others on defaults.
        kopi = Brand.objects.get(slug="kopi-nusantara")
        if not RetentionPolicy.objects.filter(brand=kopi).exists():
            retention_policy_set(brand=kopi, actor=None, mentions_months=6)
        rules = retention_policy_get(brand=kopi)
        self.stdout.write(
            f"{kopi.name} retention: mentions {rules.mentions_months} months, personal data "
            f"{rules.personal_data_months} months after closing, audit {rules.audit_months} months"
        )
        # Brand content comes from the brand apps' own commands and registered stories (tenants
        # imports no other app); stories run last, on top of the crisis the seeders told.
        call_command("seed_demo_care", stdout=self.stdout._out)
        for name, brand_slug, story in demo_stories():
            with tenant_context(Brand.objects.get(slug=brand_slug)):
                self.stdout.write(f"Story {name} ({brand_slug}): {story()}")
        connection.set_schema_to_public()
        for finisher in DEMO_FINISHERS:
            self.stdout.write(finisher())
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}); sign in at the address shown:")
        for email, role, url in demo_logins():
            self.stdout.write(f"  {email:24} {role:24} {url}")


def demo_logins() -> list[tuple[str, str, str]]:
    """(email, role, where that person signs in and lands): the agency admin on the main host for
    the operator and agency members, the brand admin for staff, the report pages for clients."""
    main = settings.MAIN_HOSTS[0]
    logins = [("operator@tanggap.test", "platform superuser", site_url(main, "/admin/"))]
    for email, target, role in PEOPLE:
        if role in ("owner", "admin"):
            logins.append((email, f"agency {role}", site_url(main, "/admin/")))
            continue
        path = "/reports/incidents/" if role in BrandGrant.CLIENT_ROLES else "/admin/"
        logins.append((email, str(role), Brand.objects.get(slug=target).url(path)))
    return logins
