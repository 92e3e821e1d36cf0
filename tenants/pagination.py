"""The one cursor pagination of every list endpoint: stable under inserts, `page_size` bounded,
`ordering` chosen among the view's `ordering_fields` (either direction). A list view sets
`pagination_class` (or calls `paginated_response`) and `ordering_fields`; the schema then
documents `cursor`, `page_size` and `ordering` (tenants/openapi.py)."""

from drf_spectacular.utils import inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

MAX_PAGE_SIZE = 500


class ListCursor(CursorPagination):
    """The answer is `{"next": url|null, "previous": url|null, "results": [...]}`."""

    page_size = 100
    max_page_size = MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    ordering = "-created_at"

    def get_ordering(self, request, queryset, view):
        """The request's `ordering` when the view accepts it (400 otherwise), else the default."""
        requested = request.query_params.get("ordering")
        if not requested:
            return super().get_ordering(request, queryset, view)
        choices = ordering_choices(view) if view is not None else []
        if not choices:
            default = self.ordering if isinstance(self.ordering, str) else self.ordering[0]
            choices = [default.lstrip("-"), "-" + default.lstrip("-")]
        if requested not in choices:
            raise ValidationError({"ordering": [f"Order by one of: {', '.join(choices)}."]})
        return (requested,)


class NewestFirstCursor(ListCursor):
    """Set as a list view's pagination_class, so the OpenAPI schema shows the paginated shape."""


def ordering_choices(view) -> list[str]:
    """The `ordering` values a list view accepts: its `ordering_fields`, else its default field,
    each ascending and descending."""
    fields = getattr(view, "ordering_fields", None)
    if not fields:
        paginator = getattr(view, "pagination_class", None)
        default = getattr(paginator, "ordering", None) if paginator else None
        if isinstance(default, (list, tuple)):
            default = default[0] if default else None
        fields = [default.lstrip("-")] if default else []
    return [value for field in fields for value in (field, f"-{field}")]


def page_of(serializer_class, name: str | None = None) -> serializers.Serializer:
    """The documented shape of a page of `serializer_class`, for `extend_schema(responses=...)`."""
    name = name or serializer_class.__name__.removesuffix("Out").removesuffix("Output")
    return inline_serializer(
        name=f"{name}Page",
        fields={
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": serializer_class(many=True),
        },
    )


def paginated_response(view, qs, serializer_class, *, default_ordering: str | None = None, **context):
    """One page of `qs`, ordered by the request's `ordering` (400 when it is not one the view
    accepts) or `default_ordering` (else the paginator's)."""
    paginator_class = getattr(view, "pagination_class", None)
    if paginator_class is None or not issubclass(paginator_class, ListCursor):
        paginator_class = ListCursor
    paginator = paginator_class()
    if default_ordering:
        paginator.ordering = default_ordering
    page = paginator.paginate_queryset(qs, view.request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context).data)
