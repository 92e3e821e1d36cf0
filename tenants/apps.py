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
        from tenants import audit, lockout  # noqa: F401 - audit and lockout signals
        # tenants.schema (the OpenAPI extensions, with drf-spectacular's quarter of a second of
        # imports) is not imported here: it is the DEFAULT_SCHEMA_CLASS, so the schema generator
        # loads it, and registers its extensions, before it reads any view.
