"""reports pages inside the brand admin (/admin/…, included before the admin site's own URLs):
the staff export of a post-crisis review, beside the review's admin page."""

from django.urls import path

from reports import views_review

urlpatterns = [
    path(
        "incidents/review/<uuid:review_id>/export.<str:fmt>",
        views_review.review_export_staff,
        name="review-export",
    ),
]
