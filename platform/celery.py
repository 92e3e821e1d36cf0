"""The Celery app. tenant-schemas-celery's CeleryApp carries the current schema in each task's
headers and switches into it on the worker (a plain Celery() would run every task in public).

`BrandTask` guards the switch: tenant-schemas-celery looks the brand up in a `task_prerun` signal,
whose errors Celery only logs, on the connection the worker kept from before (the broken-connection
check runs after it). So the first task after a database outage used to run in public. The guard
discards the connection and switches again, and retries the task rather than run it elsewhere."""

import logging
import os

from tenant_schemas_celery.app import CeleryApp, get_schema_name_from_task, switch_schema
from tenant_schemas_celery.task import TenantTask

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform.settings")

logger = logging.getLogger(__name__)
# A task that cannot reach its brand's schema waits this long before its next try.
SCHEMA_RETRY_SECONDS = 5


class BrandTask(TenantTask):
    abstract = True

    def __call__(self, *args, **kwargs):
        if not self.request.called_directly:
            self._ensure_schema(kwargs)
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


@app.on_after_configure.connect
def _make_broker_folder(sender, **kwargs) -> None:
    """kombu's filesystem transport expects its folder to exist."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        os.makedirs(settings.CELERY_BROKER_FOLDER, exist_ok=True)
