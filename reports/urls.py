"""reports pages on a brand host: the client's report of the brand over a period, and its CSVs."""

from django.urls import path

from reports import views, views_pdf, views_review

urlpatterns = [
    path("reports/", views.report_page, name="report"),
    path("reports/export/<slug:table>.csv", views.report_export_csv, name="report-export"),
]

# The whole report as a PDF (the page links to it with its own ?period=…).
urlpatterns += [path("reports/export/report.pdf", views_pdf.report_pdf, name="report-pdf")]

# The post-crisis review of an incident as its client page shows it (the page links to both).
urlpatterns += [
    path(
        "reports/incidents/<uuid:incident_id>/review/export.<str:fmt>",
        views_review.review_export_client,
        name="incident-report-review-export",
    )
]
