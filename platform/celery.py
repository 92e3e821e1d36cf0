"""The Celery app. tenant-schemas-celery's CeleryApp carries the current schema in each task's
headers and switches into it on the worker (a plain Celery() would run every task in public).

`BrandTask` guards the switch: tenant-schemas-celery looks the brand up in a `task_prerun` signal,
whose errors Celery only logs, on the connection the worker kept from before (the broken-connection
check runs after it). So the first task after a database outage used to run in public. The guard
discards the connection and switches again, and retries the task rather than run it elsewhere."""

import logging
import os

from celery import signals
from kombu.transport import TRANSPORT_ALIASES
from tenant_schemas_celery.app import CeleryApp, get_schema_name_from_task, switch_schema
from tenant_schemas_celery.task import TenantTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform.settings")
# A `filesystem://` broker (the default setup's) uses the transport that writes each message whole
# before a worker can see it (platform/broker.py): kombu's own could hand out, and lose, an empty
# file. Named by its alias, so a process pointed at Redis or RabbitMQ is unaffected.
TRANSPORT_ALIASES["filesystem"] = "platform.broker:Transport"

logger = logging.getLogger(__name__)
# A task that cannot reach its brand's schema waits this long before its next try.
SCHEMA_RETRY_SECONDS = 5


class BrandTask(TenantTask):
    abstract = True

    def __call__(self, *args, **kwargs):
        # At call time: `celery -A platform` loads this module before Django is set up.
        from django.utils import timezone

        from tenants.localization import brand_zone

        if not self.request.called_directly:
            self._ensure_schema(kwargs)
        # Texts and emails a task writes show times in the brand's zone, as pages do.
        with timezone.override(brand_zone()):
            return super().__call__(*args, **kwargs)

    def _ensure_schema(self, kwargs) -> None:
        from django.db import DatabaseError, connections
        from django_tenants.utils import get_public_schema_name

        expected = get_schema_name_from_task(self, kwargs) or get_public_schema_name()
        databases = self.get_tenant_databases()
        if all(connections[db].schema_name == expected for db in databases):
            return
        logger.warning("task %s is not in schema %s; reconnecting and switching again", self.name, expected)
        for db in databases:
            connections[db].close()  # whatever the switch failed on is not reused
            connections[db].set_schema_to_public()
        try:
            switch_schema(self, kwargs)
        except DatabaseError as exc:
            for db in databases:
                connections[db].close()
            # The retry keeps the brand's schema header: the failed switch left this process in public.
            raise self.retry(
                exc=exc, countdown=SCHEMA_RETRY_SECONDS, headers={"_schema_name": expected}
            ) from exc


app = CeleryApp("tanggap", task_cls="platform.celery:BrandTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Task names before they were explicit (module paths). Messages queued under them before an upgrade
# still run; beat rows were renamed by migration tenants.0003. Remove once no such message can be
# left in any broker.
LEGACY_TASK_NAMES = {
    "incidents.tasks.early_warning.mentions_score_task": "incidents.mentions_score",
    "incidents.tasks.early_warning.detectors_sweep_task": "incidents.detectors_sweep",
    "incidents.tasks.early_warning.early_warning_tick_task": "incidents.early_warning_tick",
    "incidents.tasks.early_warning.early_warning_brand_tick_task": "incidents.early_warning_brand_tick",
    "incidents.tasks.early_warning.webhook_deliver_task": "incidents.webhook_deliver",
    "incidents.tasks.early_warning.notification_email_task": "incidents.notification_email",
    "incidents.tasks.crisis.crisis_reminders_sweep_all": "incidents.crisis_reminders_sweep_all",
    "incidents.tasks.crisis.crisis_reminders_task": "incidents.crisis_reminders",
    "incidents.tasks.crisis.incident_auto_open_task": "incidents.incident_auto_open",
    "incidents.tasks.crisis.contact_email_task": "incidents.contact_email",
    "surveys.tasks.invitation_send_task": "surveys.invitation_send",
    "surveys.tasks.invitations_send_task": "surveys.invitations_send",
    "surveys.tasks.invitation_remind_task": "surveys.invitation_remind",
    "surveys.tasks.survey_reminders_due_task": "surveys.survey_reminders_due",
    "surveys.tasks.survey_reminders_sweep_task": "surveys.survey_reminders_sweep",
    "tenants.tasks.worker_ping_task": "tenants.worker_ping",
}


@signals.import_modules.connect
def _accept_legacy_task_names(sender=None, **kwargs) -> None:
    """After the worker imported the tasks: old names lead to the renamed tasks."""
    for old, new in LEGACY_TASK_NAMES.items():
        if new in app.tasks and old not in app.tasks:
            app.tasks[old] = app.tasks[new]


@app.on_after_configure.connect
def _make_broker_folder(sender, **kwargs) -> None:
    """kombu's filesystem transport expects its folder to exist."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        os.makedirs(settings.CELERY_BROKER_FOLDER, exist_ok=True)
