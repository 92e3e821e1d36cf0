"""incidents REST API on a brand host, under /api/v1/: one routes module per topic."""

from incidents.api import (
    urls_alerts,
    urls_care,
    urls_incidents,
    urls_intake,
    urls_moderation,
    urls_notifications,
    urls_one_crisis,
    urls_plans,
    urls_responses,
    urls_reviews,
    urls_status_updates,
    urls_team,
    urls_template_library,
    urls_timeline,
    urls_webhooks,
)

urlpatterns = [
    *urls_intake.urlpatterns,
    *urls_alerts.urlpatterns,
    *urls_notifications.urlpatterns,
    *urls_webhooks.urlpatterns,
    *urls_incidents.urlpatterns,
    *urls_one_crisis.urlpatterns,
    *urls_timeline.urlpatterns,
    *urls_team.urlpatterns,
    *urls_status_updates.urlpatterns,
    *urls_responses.urlpatterns,
    *urls_template_library.urlpatterns,
    *urls_moderation.urlpatterns,
    *urls_care.urlpatterns,
    *urls_reviews.urlpatterns,
    *urls_plans.urlpatterns,
]
