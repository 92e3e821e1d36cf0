"""incidents pages on a brand host: the client's view of incidents."""

from django.urls import path

from incidents import views_crisis

urlpatterns = [
    path("reports/incidents/", views_crisis.incident_report_list, name="incident-report-list"),
    path(
        "reports/incidents/<uuid:incident_id>/",
        views_crisis.incident_report_detail,
        name="incident-report-detail",
    ),
    path(
        "reports/incidents/<uuid:incident_id>/decide/",
        views_crisis.incident_report_decide,
        name="incident-report-decide",
    ),
    path(
        "reports/incidents/<uuid:incident_id>/review/sign-off/",
        views_crisis.incident_report_review_sign_off,
        name="incident-report-review-sign-off",
    ),
]
