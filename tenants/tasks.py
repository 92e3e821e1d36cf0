"""Worker-level tasks for the platform itself."""

from celery import shared_task
from django.db import connection
from django_tenants.utils import schema_context


@shared_task(name="tenants.worker_ping", acks_late=True, time_limit=30, soft_time_limit=20)
def worker_ping_task(token: str) -> str:
    """Record which schema this task ran in. Repeating it with the same token changes nothing."""
    from tenants.models import WorkerPing

    schema = connection.schema_name
    with schema_context("public"):
        WorkerPing.objects.get_or_create(token=token, defaults={"schema_name": schema})
    return schema


@shared_task(name="tenants.worker_heartbeat", acks_late=True, time_limit=30, soft_time_limit=20)
def worker_heartbeat_task(queue: str) -> None:
    """Beat sends one to every queue; the worker that consumes it records that queue's liveness."""
    from tenants.services import heartbeat_record

    heartbeat_record(name=f"worker:{queue}")
