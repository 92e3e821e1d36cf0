"""Periodic work fans out to ready brands only; times show in the brand's time zone."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from tenants.beat import ReadyBrandScheduler
from tenants.models import Brand

pytestmark = pytest.mark.django_db


def _scheduler_recording(sent: list) -> ReadyBrandScheduler:
    scheduler = ReadyBrandScheduler.__new__(ReadyBrandScheduler)

    def apply_async(entry, producer=None, advance=False):
        sent.append(connection.schema_name)
        return SimpleNamespace(id="sent")

    scheduler.apply_async = apply_async
    return scheduler


def test_code_defined_periodic_task_fans_out_to_every_ready_brand(brand_a):
    from tenants.services import brand_create

    paused = brand_create(agency=brand_a.agency, slug="paused-brand", name="Paused")
    Brand.objects.filter(pk=paused.pk).update(ready=False)
    sent: list[str] = []
    entry = SimpleNamespace(name="sweep", task="x", options={"headers": {"_all_tenants_only": True}})
    _scheduler_recording(sent).apply_entry(entry)
    assert {"brand_kopi", "brand_batik"} <= set(sent)
    assert "brand_paused_brand" not in sent
    assert "brand_template" not in sent and "public" not in sent


def test_admin_defined_public_task_runs_once_in_public(brand_a):
    sent: list[str] = []
    entry = SimpleNamespace(name="report", task="x", options={"headers": {"_schema_name": "public"}})
    _scheduler_recording(sent).apply_entry(entry)
    assert sent == ["public"]


def test_brand_host_requests_show_times_in_the_brand_time_zone(brand_a, rf):
    from tenants.middleware import BrandTimezoneMiddleware

    seen = {}

    def view(request):
        seen["tz"] = timezone.get_current_timezone_name()
        return None

    request = rf.get("/")
    request.tenant = brand_a
    BrandTimezoneMiddleware(view)(request)
    assert seen["tz"] == "Asia/Jakarta"
    assert timezone.get_current_timezone_name() == "UTC"  # restored after the request
