"""content pages on a brand host: the calendar feed at its secret link, and the client's page of
what waits for their decision."""

from django.urls import path

from content import views
from content.feeds import calendar_feed_view

urlpatterns = [
    path("feeds/content/<str:token>.ics", calendar_feed_view, name="content-calendar-feed"),
    path("reports/content/", views.content_report_waiting, name="content-report-waiting"),
    path("reports/content/decide/", views.content_report_decide, name="content-report-decide"),
]
