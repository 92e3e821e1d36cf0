"""Response-template library API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import template_library as api

urlpatterns = [
    path("response-templates/", api.ResponseTemplateListCreateApi.as_view(), name="response-templates"),
    path(
        "response-templates/<uuid:template_id>/",
        api.ResponseTemplateDetailApi.as_view(),
        name="response-template-detail",
    ),
]
