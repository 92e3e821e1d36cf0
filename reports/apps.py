"""Client reports: figures per brand over a period, charts, CSV and PDF exports, scheduled report
emails, and the agency's portfolio of its brands. Read-only over the other apps: it imports their
named selectors, and nothing imports it."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Client reports")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from reports.demo import report_schedule_demo_seed
        from reports.health import brand_health_demo_refresh
        from reports.schedules import report_deliveries_sweep
        from tenants.demo import register_demo_finisher, register_demo_seeder
        from tenants.outbox import register_sweeper

        register_sweeper("report-deliveries", report_deliveries_sweep)
        register_demo_seeder(report_schedule_demo_seed)
        # The demo's portfolio shows figures right after `make run`, before beat's first tick.
        register_demo_finisher(brand_health_demo_refresh)
