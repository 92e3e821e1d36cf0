"""content pages on a brand host: the calendar feed at its secret link."""

from django.urls import path

from content.feeds import calendar_feed_view

urlpatterns = [
    path("feeds/content/<str:token>.ics", calendar_feed_view, name="content-calendar-feed"),
]
