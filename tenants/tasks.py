"""Worker-level tasks for the platform itself."""

from celery import shared_task
from django.db import connection
from django_tenants.utils import schema_context

from tenants.fanout import brands_run_task  # noqa: F401 - registered with the worker here
from tenants.outbox import RETRY_OPTIONS


@shared_task(name="tenants.worker_ping", acks_late=True, time_limit=30, soft_time_limit=20)
def worker_ping_task(token: str) -> str:
    """Record which schema this task ran in. Repeating it with the same token changes nothing."""
    from tenants.models import WorkerPing

    schema = connection.schema_name
    with schema_context("public"):
        WorkerPing.objects.get_or_create(token=token, defaults={"schema_name": schema})
    return schema


@shared_task(name="tenants.outbox_sweep_all", acks_late=True, time_limit=120, soft_time_limit=100)
def outbox_sweep_all_task() -> int:
    """Periodic, in public: queue the outbox sweep in every ready brand (and drop the stored
    Idempotency-Key answers past their 24 hours)."""
    from tenants.fanout import fan_out
    from tenants.idempotency import idempotency_records_purge

    idempotency_records_purge()

    return fan_out(outbox_sweep_task)


@shared_task(
    name="tenants.outbox_sweep", acks_late=True, time_limit=300, soft_time_limit=240, **RETRY_OPTIONS
)
def outbox_sweep_task() -> dict:
    """One brand: hand over again the work the broker never got or a worker never finished."""
    from tenants.outbox import sweep_current_brand

    return sweep_current_brand()


@shared_task(name="tenants.worker_heartbeat", acks_late=True, time_limit=30, soft_time_limit=20)
def worker_heartbeat_task(queue: str) -> None:
    """Beat sends one to every queue; the worker that consumes it records that queue's liveness."""
    from tenants.services import heartbeat_record

    heartbeat_record(name=f"worker:{queue}")


# Default queue: an export is rare. Its limit stays within the global task limit, which the Redis
# visibility timeout is computed from (a longer task would be handed to a second worker).
@shared_task(name="tenants.brand_export", acks_late=True, time_limit=300, soft_time_limit=280)
def brand_export_task(export_id: str) -> str:
    """Make one requested brand archive (in public; the export reads the brand's schema by name)."""
    from tenants.export import brand_export_run

    return brand_export_run(export_id=export_id).state


# Queue `periodic` (beat runs it hourly), in public.
@shared_task(name="tenants.brands_delete_expired", acks_late=True, time_limit=300, soft_time_limit=280)
def brands_delete_expired_task() -> int:
    """Delete brands whose deactivation grace period has passed."""
    from tenants.services import brands_delete_expired

    return brands_delete_expired()
