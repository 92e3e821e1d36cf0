"""One brand's health figures for the agency portfolio, computed in the brand's schema through the
incidents' and surveys' named selectors, and written into the public `tenants.BrandHealth` row.

This is the portfolio's only crossing of schemas: the per-brand periodic fan-out
(reports.tasks_health) runs `brand_health_refresh` inside each ready brand's schema and the row it
writes lives in public, where the portfolio page and API read it without entering any brand."""

from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone

from incidents.selectors_dashboard import dashboard_waiting
from incidents.selectors_health import (
    alerts_raised_count,
    negative_share_now_and_baseline,
    open_incidents_summary,
)
from surveys.selectors import csat_since
from tenants.models import BrandHealth
from tenants.services import brand_health_upsert, ready_brands_iter

CSAT_DAYS = 30
BASELINE_DAYS = 7


def brand_health_compute(*, now: datetime) -> dict:
    """The current brand's portfolio figures at `now` (run inside its schema)."""
    incidents = open_incidents_summary()
    shares = negative_share_now_and_baseline(now=now, baseline_days=BASELINE_DAYS)
    waiting = dashboard_waiting(now=now)
    csat = csat_since(since=now - timedelta(days=CSAT_DAYS))
    return {
        "open_critical": incidents["critical"],
        "open_high": incidents["high"],
        "open_medium": incidents["medium"],
        "open_low": incidents["low"],
        "next_client_update_at": incidents["next_client_update_at"],
        "alerts_24h": alerts_raised_count(since=now - timedelta(hours=24)),
        "mentions_24h": shares["mentions_now"],
        "negative_share_now": shares["share_now"],
        "negative_share_baseline": shares["share_baseline"],
        "unanswered_complaints": waiting["overdue"] + waiting["within"],
        "unanswered_overdue": waiting["overdue"],
        "csat_30d": csat["score"],
        "csat_answers_30d": csat["answers"],
    }


def brand_health_refresh(*, now: datetime | None = None) -> BrandHealth:
    """Compute the current brand's figures and upsert its public row. Safe to run twice."""
    brand = connection.tenant
    if brand is None or brand.schema_name == "public":
        raise RuntimeError("brand_health_refresh runs inside a brand's schema")
    now = now or timezone.now()
    return brand_health_upsert(brand_id=brand.pk, figures=brand_health_compute(now=now), computed_at=now)


def brand_health_refresh_all(*, progress: bool = False) -> int:
    """Refresh every ready brand's row in this process (the demo seed and the bench use it; beat
    fans out a task per brand instead). Returns how many brands were refreshed."""
    count = 0
    for _brand in ready_brands_iter(progress=progress):
        brand_health_refresh()
        count += 1
    return count


def brand_health_demo_refresh() -> str:
    """The demo seed's last step: every ready brand's portfolio row, computed now."""
    return f"Portfolio: health figures computed for {brand_health_refresh_all()} brands"
