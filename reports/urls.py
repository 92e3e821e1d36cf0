"""reports pages on a brand host: the client's report of the brand over a period, and its CSVs."""

from django.urls import path

from reports import views, views_pdf

urlpatterns = [
    path("reports/", views.report_page, name="report"),
    path("reports/export/<slug:table>.csv", views.report_export_csv, name="report-export"),
]

# The whole report as a PDF (the page links to it with its own ?period=…).
urlpatterns += [path("reports/export/report.pdf", views_pdf.report_pdf, name="report-pdf")]
