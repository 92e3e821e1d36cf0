"""The agency portfolio's periodic fan-out: beat queues `brand_health_tick` in public once a
minute; it queues `brand_health_refresh` in every ready brand's schema, which writes the brand's
public health row. Both on the `periodic` queue; running either twice is harmless."""

from celery import shared_task

from reports.health import brand_health_refresh
from tenants.fanout import fan_out


@shared_task(name="reports.brand_health_tick", acks_late=True, time_limit=120, soft_time_limit=100)
def brand_health_tick_task() -> int:
    """Periodic, in public: queue the health refresh in every ready brand. Returns how many."""
    return fan_out(brand_health_refresh_task)


@shared_task(name="reports.brand_health_refresh", acks_late=True, time_limit=120, soft_time_limit=100)
def brand_health_refresh_task() -> str:
    """One brand (the task runs in its schema): recompute its portfolio row."""
    return brand_health_refresh().computed_at.isoformat()
