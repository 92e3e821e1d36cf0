"""Public survey pages on a brand host: /s/<token>/ (no login; BrandAccessMiddleware leaves /s/ open)."""

from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("s/<str:token>/", views.survey_answer, name="answer"),
    path("s/<str:token>/thanks/", views.survey_thanks, name="thanks"),
    path("s/<str:token>/opt-out/", views.survey_opt_out, name="opt_out"),
]
