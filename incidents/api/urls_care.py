"""Care-case API routes (under /api/v1/ on a brand host)."""

from django.urls import path

from incidents.api import care as api

urlpatterns = [
    path("care-cases/", api.CareCaseListCreateApi.as_view(), name="care-case-list"),
    path("care-cases/figures/", api.CareFiguresApi.as_view(), name="care-case-figures"),
    path("care-cases/erase-customer/", api.CareCustomerEraseApi.as_view(), name="care-customer-erase"),
    path("care-cases/<uuid:case_id>/", api.CareCaseDetailApi.as_view(), name="care-case-detail"),
    path("care-cases/<uuid:case_id>/invite/", api.CareCaseInviteApi.as_view(), name="care-case-invite"),
    path(
        "care-cases/<uuid:case_id>/contacts/",
        api.CareContactListCreateApi.as_view(),
        name="care-case-contacts",
    ),
    path("care-cases/<uuid:case_id>/close/", api.CareCaseCloseApi.as_view(), name="care-case-close"),
    path("care-cases/<uuid:case_id>/erase/", api.CareCaseEraseApi.as_view(), name="care-case-erase"),
]
