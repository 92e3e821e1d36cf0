"""The Celery app. tenant-schemas-celery's CeleryApp carries the current schema in each task's
headers and switches into it on the worker (a plain Celery() would run every task in public)."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform.settings")

app = CeleryApp("tanggap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _make_broker_folder(sender, **kwargs) -> None:
    """kombu's filesystem transport expects its folder to exist."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        os.makedirs(settings.CELERY_BROKER_FOLDER, exist_ok=True)
