"""The cursor paginator every list endpoint uses: stable under inserts, newest first by default."""

from rest_framework.pagination import CursorPagination


class NewestFirstCursor(CursorPagination):
    """Set as a list view's pagination_class, so the OpenAPI schema shows the paginated shape."""

    page_size = 100
    max_page_size = 500
    page_size_query_param = "page_size"
    ordering = "-created_at"


def paginated_response(view, qs, serializer_class, **context):
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(qs, view.request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context).data)
