from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Satisfaction surveys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from surveys.services import invitation_emails_sweep
        from tenants.outbox import register_sweeper

        register_sweeper("survey-invitation-emails", invitation_emails_sweep)
