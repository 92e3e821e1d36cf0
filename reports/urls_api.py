"""reports REST API on a brand host, under /api/v1/reports/."""

from django.urls import path

from reports.api import ReportSummaryApi, ReportTimeseriesApi

urlpatterns = [
    path("summary/", ReportSummaryApi.as_view(), name="api-report-summary"),
    path("timeseries/", ReportTimeseriesApi.as_view(), name="api-report-timeseries"),
]
