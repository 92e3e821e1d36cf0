"""Response API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import responses as api

urlpatterns = [
    path("responses/", api.ResponseListCreateApi.as_view(), name="response-list"),
    path("responses/<uuid:response_id>/", api.ResponseDetailApi.as_view(), name="response-detail"),
    path("responses/<uuid:response_id>/submit/", api.ResponseSubmitApi.as_view(), name="response-submit"),
    path("responses/<uuid:response_id>/approve/", api.ResponseApproveApi.as_view(), name="response-approve"),
    path("responses/<uuid:response_id>/reject/", api.ResponseRejectApi.as_view(), name="response-reject"),
    path(
        "responses/<uuid:response_id>/withdraw/", api.ResponseWithdrawApi.as_view(), name="response-withdraw"
    ),
    path(
        "responses/<uuid:response_id>/confirm-sent/",
        api.ResponseConfirmSentApi.as_view(),
        name="response-confirm-sent",
    ),
]
