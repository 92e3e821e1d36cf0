"""Post-crisis review API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import reviews as api

urlpatterns = [
    path("reviews/", api.ReviewListApi.as_view(), name="review-list"),
    path("reviews/<uuid:review_id>/", api.ReviewDetailApi.as_view(), name="review-detail"),
    path("reviews/<uuid:review_id>/recompute/", api.ReviewRecomputeApi.as_view(), name="review-recompute"),
    path("reviews/<uuid:review_id>/steps/", api.ReviewStepApi.as_view(), name="review-steps"),
    path("reviews/<uuid:review_id>/customers/", api.ReviewCustomersApi.as_view(), name="review-customers"),
    path(
        "reviews/<uuid:review_id>/customers/import/",
        api.ReviewCustomersImportApi.as_view(),
        name="review-customers-import",
    ),
    path("reviews/<uuid:review_id>/feedback/", api.ReviewFeedbackApi.as_view(), name="review-feedback"),
    path(
        "reviews/<uuid:review_id>/follow-ups/", api.ReviewActionItemsApi.as_view(), name="review-follow-ups"
    ),
    path("reviews/<uuid:review_id>/lessons/", api.ReviewLessonsApi.as_view(), name="review-lessons"),
    path("reviews/<uuid:review_id>/plan/", api.ReviewPlanApi.as_view(), name="review-plan"),
    path("reviews/<uuid:review_id>/complete/", api.ReviewCompleteApi.as_view(), name="review-complete"),
    path("reviews/<uuid:review_id>/sign-off/", api.ReviewSignOffApi.as_view(), name="review-sign-off"),
    path(
        "reviews/follow-ups/<uuid:item_id>/", api.ReviewActionItemDetailApi.as_view(), name="review-follow-up"
    ),
    path(
        "reviews/lessons/<uuid:lesson_id>/accept/",
        api.ReviewLessonAcceptApi.as_view(),
        name="review-lesson-accept",
    ),
]
