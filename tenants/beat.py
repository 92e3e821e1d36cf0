"""Celery beat on django-celery-beat's database scheduler (editable in the agency admin), which
fans a code-defined periodic task out to every ready brand and runs admin-defined ones in public.
Beat also records its own heartbeat on its ticks, so /healthz can tell when it stopped."""

import logging
import time

from django.db import DatabaseError
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.db_scheduler import TenantAwareDatabaseScheduler

logger = logging.getLogger(__name__)

# Beat ticks every few seconds; one heartbeat write per this many seconds is plenty.
HEARTBEAT_EVERY_SECONDS = 5.0


class ReadyBrandScheduler(TenantAwareDatabaseScheduler):
    _last_heartbeat = 0.0

    @classmethod
    def get_queryset(cls):
        from tenants.models import Brand

        return Brand.objects.ready()

    def get_tenant_schema_names(self, exclude_schemas):
        # django-celery-beat's tables are shared (public only): reading them again from each
        # brand's search path would list every task once per brand.
        return []

    def apply_entry(self, entry, producer=None):
        headers = entry.options.setdefault("headers", {})
        if not headers.get("_all_tenants_only") and headers.get("_schema_name") == get_public_schema_name():
            return self.apply_async(entry, producer=producer, advance=False)
        return super().apply_entry(entry, producer=producer)

    def tick(self, *args, **kwargs):
        self.heartbeat()
        return super().tick(*args, **kwargs)

    def heartbeat(self) -> None:
        """Record beat's liveness; a database outage must not stop beat from ticking."""
        if time.monotonic() - self._last_heartbeat < HEARTBEAT_EVERY_SECONDS:
            return
        from tenants.services import heartbeat_record

        try:
            heartbeat_record(name="beat")
        except DatabaseError as exc:
            logger.warning("beat heartbeat not recorded: %s", exc)
            from django.db import connection

            connection.close()  # a broken connection is replaced on the next tick
            return
        self._last_heartbeat = time.monotonic()
