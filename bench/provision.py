"""Provisioning speed: N brands by cloning the template schema against N brands by running the
tenant migrations, measured in the same run; prints seconds per brand and the ratio.

    .venv/bin/python bench/provision.py [--count 50]

Uses the configured database (the embedded one by default) and removes its brands afterwards."""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from tenants.models import Agency, Brand  # noqa: E402
from tenants.services import agency_create, brand_create, template_brand_ensure  # noqa: E402


def by_clone(agency, slug):
    brand_create(agency=agency, slug=slug, name=slug)


def by_migrations(agency, slug):
    with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
        brand = Brand.objects.create(schema_name=slug.replace("-", "_"), slug=slug, name=slug, agency=agency)
        brand.create_schema(check_if_exists=False, verbosity=0)
        brand.ready = True
        brand.save(update_fields=["ready"])
    connection.set_schema_to_public()


def cleanup(prefix):
    for brand in Brand.objects.filter(slug__startswith=prefix):
        brand.delete(force_drop=True)


def measure(label, fn, agency, count, prefix):
    cleanup(prefix)
    started = time.perf_counter()
    for i in range(count):
        fn(agency, f"{prefix}{i}")
    per_brand = (time.perf_counter() - started) / count
    cleanup(prefix)
    print(f"{label:>16}: {per_brand:.3f} s per brand ({count} brands)")
    return per_brand


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate_schemas", "--shared", interactive=False, verbosity=0)
    template_brand_ensure()
    agency = Agency.objects.filter(slug="bench").first() or agency_create(slug="bench", name="Bench")
    clone = measure("clone", by_clone, agency, args.count, "bench-clone-")
    migrate = measure("migrations", by_migrations, agency, args.count, "bench-migr-")
    print(f"ratio clone/migrations: {clone / migrate:.3f} (clone is {migrate / clone:.1f}x faster)")


if __name__ == "__main__":
    main()
