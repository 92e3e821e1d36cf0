from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Early warning and incidents")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from incidents.demo import demo_story_seed
        from incidents.demo_drills import drills_demo_story
        from incidents.demo_reviews import reviews_demo_story
        from incidents.services.notifications import contact_emails_sweep, notification_emails_sweep
        from incidents.services.reviews import reviews_figures_sweep
        from incidents.services.webhooks import webhook_deliveries_requeue_stuck
        from incidents.views_dashboard import brand_dashboard_section
        from tenants.admin_sites import brand_admin_site
        from tenants.demo import register_demo_seeder, register_demo_story
        from tenants.outbox import register_sweeper
        from tenants.personal_data import personal_columns_register

        brand_admin_site.add_dashboard_section(brand_dashboard_section)
        register_demo_seeder(demo_story_seed)

        register_sweeper("incident-notification-emails", notification_emails_sweep)
        register_sweeper("incident-contact-emails", contact_emails_sweep)
        register_sweeper("incident-webhook-deliveries", webhook_deliveries_requeue_stuck)
        register_sweeper("incident-review-figures", reviews_figures_sweep)
        register_demo_story("post-crisis-reviews", brand_slug="kopi-nusantara", story=reviews_demo_story)
        register_demo_story("drills", brand_slug="kopi-nusantara", story=drills_demo_story)
        # Customers' personal data, left out of a brand export the requester may not read it in.
        personal_columns_register(
            "incidents_carecase",
            {"customer_name": None, "customer_email": None, "customer_phone": None, "outcome": None},
        )
        personal_columns_register("incidents_carecontact", {"summary": None})
        personal_columns_register(
            "incidents_mention", {"text": "", "author_name": "", "url": ""}, where="t.kind = 'direct_message'"
        )
