"""surveys REST API on a brand host, under /api/v1/."""

from django.urls import path

from surveys import api

urlpatterns = [
    path("surveys/", api.SurveyListApi.as_view(), name="survey-list"),
    path("surveys/<uuid:survey_id>/", api.SurveyDetailApi.as_view(), name="survey-detail"),
    path("surveys/<uuid:survey_id>/open/", api.SurveyOpenApi.as_view(), name="survey-open"),
    path("surveys/<uuid:survey_id>/close/", api.SurveyCloseApi.as_view(), name="survey-close"),
    path("surveys/<uuid:survey_id>/duplicate/", api.SurveyDuplicateApi.as_view(), name="survey-duplicate"),
    path("surveys/<uuid:survey_id>/invitations/", api.InvitationListApi.as_view(), name="survey-invitations"),
    path("surveys/<uuid:survey_id>/results/", api.SurveyResultsApi.as_view(), name="survey-results"),
    path("surveys/<uuid:survey_id>/responses/", api.ResponseListApi.as_view(), name="survey-responses"),
    path("surveys/<uuid:survey_id>/responses.csv", api.ResponseCsvApi.as_view(), name="survey-responses-csv"),
    path("testimonials/", api.TestimonialListApi.as_view(), name="testimonial-list"),
    path(
        "testimonials/<uuid:candidate_id>/review/",
        api.TestimonialReviewApi.as_view(),
        name="testimonial-review",
    ),
]
