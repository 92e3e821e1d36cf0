from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Satisfaction surveys")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from surveys.services import invitation_emails_sweep
        from tenants.outbox import register_sweeper
        from tenants.personal_data import personal_columns_register

        register_sweeper("survey-invitation-emails", invitation_emails_sweep)
        # Respondents' personal data, left out of a brand export the requester may not read it in.
        personal_columns_register(
            "surveys_invitation",
            {"name": "", "email": "", "phone": "", "mention_author": ""},
            mark_erased="erased_at",  # an invitation with neither email nor phone must read as erased
        )
        personal_columns_register("surveys_invitationemail", {"to": ""})
        personal_columns_register("surveys_answer", {"text": ""})
        personal_columns_register("surveys_testimonialcandidate", {"author_name": "", "quote": ""})
