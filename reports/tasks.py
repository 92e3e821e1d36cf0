"""reports' Celery tasks: thin, they take ids and call one service."""

import logging

from celery import shared_task

from reports.schedules import report_delivery_send, schedules_queue_due
from reports.tasks_health import brand_health_refresh_task, brand_health_tick_task  # noqa: F401
from tenants.fanout import fan_out
from tenants.outbox import RETRY_OPTIONS

logger = logging.getLogger(__name__)


# Queue `periodic` (beat), in public: one due-check per ready brand.
@shared_task(name="reports.schedules_due_sweep", acks_late=True, time_limit=120, soft_time_limit=100)
def report_schedules_due_sweep_task() -> int:
    return fan_out(report_schedules_due_task)


# Queue `periodic`, in one brand: record the deliveries that are due and hand them over.
@shared_task(
    name="reports.schedules_due", acks_late=True, time_limit=120, soft_time_limit=100, **RETRY_OPTIONS
)
def report_schedules_due_task() -> int:
    return schedules_queue_due()


# Queue `notifications`: render one report and email it. A mail server, database or broker outage
# is retried with backoff; the claim makes a retry after a half-done attempt send nothing twice.
@shared_task(
    name="reports.delivery_send", acks_late=True, time_limit=180, soft_time_limit=150, **RETRY_OPTIONS
)
def report_delivery_send_task(delivery_id: str) -> bool:
    sent = report_delivery_send(delivery_id=delivery_id)
    logger.info("report delivery %s: %s", delivery_id, "sent" if sent else "nothing to send")
    return sent
