"""Care-case API routes (under /api/v1/ on a brand host): `cases/` as documented, and the first
path `care-cases/` kept as a deprecated alias (same views, left out of the OpenAPI schema, answers
carry a `Deprecation` header and a `Link` to the successor path)."""

from django.urls import path

from incidents.api import care as api

ROUTES = [
    ("", api.CareCaseListCreateApi, "list"),
    ("figures/", api.CareFiguresApi, "figures"),
    ("erase-customer/", api.CareCustomerEraseApi, "erase-customer"),
    ("<uuid:case_id>/", api.CareCaseDetailApi, "detail"),
    ("<uuid:case_id>/invite/", api.CareCaseInviteApi, "invite"),
    ("<uuid:case_id>/contacts/", api.CareContactListCreateApi, "contacts"),
    ("<uuid:case_id>/close/", api.CareCaseCloseApi, "close"),
    ("<uuid:case_id>/erase/", api.CareCaseEraseApi, "erase"),
]


def _deprecated(view):
    """The same view under the old path. A plain function (not the DRF view class), so the schema
    generator, which documents API views only, leaves the alias out."""

    def alias(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        successor = request.path.replace("/care-cases/", "/cases/", 1)
        response["Deprecation"] = "true"
        response["Link"] = f'<{successor}>; rel="successor-version"'
        return response

    alias.csrf_exempt = True  # as DRF's own views: the API authenticates without the CSRF cookie
    return alias


urlpatterns = [
    path(f"cases/{route}", view.as_view(), name=f"case-{name}") for route, view, name in ROUTES
] + [
    path(f"care-cases/{route}", _deprecated(view.as_view()), name=f"care-case-{name}")
    for route, view, name in ROUTES
]
