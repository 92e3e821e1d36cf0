"""The agency portfolio's rows as the page and the API show them: a brand's public health figures,
its times in the brand's own zone, whether they are stale, and links into the brand's admin and
report page on the brand's host. Reads nothing but what `portfolio_brand_list` loaded."""

import zoneinfo
from datetime import datetime

from django.http import HttpRequest

from tenants.links import host_url
from tenants.models import Brand
from tenants.selectors import brand_health_is_stale

FIGURES = (
    "open_critical",
    "open_high",
    "open_medium",
    "open_low",
    "alerts_24h",
    "mentions_24h",
    "negative_share_now",
    "negative_share_baseline",
    "negative_share_change",
    "unanswered_complaints",
    "unanswered_overdue",
    "csat_30d",
    "csat_answers_30d",
)


def portfolio_host(brand: Brand) -> str:
    """The brand's primary host from its prefetched domains (no query per brand)."""
    return next((d.domain for d in brand.domains.all() if d.is_primary), "")


def portfolio_row(
    request: HttpRequest, brand: Brand, *, report_path: str, now: datetime | None = None
) -> dict:
    """One brand's entry as plain data; every figure is None until the brand's first refresh."""
    health = getattr(brand, "health", None)  # a missing reverse one-to-one raises AttributeError
    zone = zoneinfo.ZoneInfo(brand.timezone)
    host = portfolio_host(brand)

    def local(value: datetime | None) -> datetime | None:
        return value.astimezone(zone) if value else None

    return {
        "slug": brand.slug,
        "name": brand.name,
        "agency": brand.agency.slug if brand.agency else None,
        "agency_name": brand.agency.name if brand.agency else "",
        "timezone": brand.timezone,
        "admin_url": host_url(request, host, "/admin/"),
        "report_url": host_url(request, host, report_path),
        **{name: getattr(health, name) if health else None for name in FIGURES},
        "open_incidents": health.open_incidents if health else None,
        "next_client_update_at": local(health.next_client_update_at) if health else None,
        "computed_at": local(health.computed_at) if health else None,
        "stale": brand_health_is_stale(health, now=now),
    }
