from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Agencies and brands")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The tenant-aware Celery app must be the current app in *every* process that can queue a
        # task (gunicorn, runserver, management commands, shell), not only in the worker: without
        # it `.delay()` goes through Celery's default app, carries no schema header, and the task
        # runs in public. `platform/__init__.py` must stay import-free, so ready() is the hook.
        import platform.celery  # noqa: F401
        from tenants import audit, lockout, schema  # noqa: F401 - audit and lockout signals; OpenAPI auth
