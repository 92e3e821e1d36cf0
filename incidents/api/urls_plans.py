"""Crisis-plan API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import plans as api

urlpatterns = [
    path("crisis-plan/versions/", api.PlanVersionListApi.as_view(), name="crisis-plan-version-list"),
    path(
        "crisis-plan/versions/<uuid:version_id>/",
        api.PlanVersionDetailApi.as_view(),
        name="crisis-plan-version-detail",
    ),
    path(
        "crisis-plan/versions/<uuid:version_id>/publish/",
        api.PlanVersionPublishApi.as_view(),
        name="crisis-plan-version-publish",
    ),
    path(
        "crisis-plan/versions/<uuid:version_id>/discard/",
        api.PlanVersionDiscardApi.as_view(),
        name="crisis-plan-version-discard",
    ),
]
