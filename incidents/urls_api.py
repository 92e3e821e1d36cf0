"""incidents REST API on a brand host, under /api/v1/."""

from incidents.api.urls_care import urlpatterns as care_urlpatterns
from incidents.api.urls_crisis import urlpatterns as crisis_urlpatterns
from incidents.api.urls_early_warning import urlpatterns as early_warning_urlpatterns
from incidents.api.urls_reviews import urlpatterns as review_urlpatterns

urlpatterns = [*early_warning_urlpatterns, *crisis_urlpatterns, *care_urlpatterns, *review_urlpatterns]
