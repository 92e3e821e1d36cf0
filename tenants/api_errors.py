"""API error shape, one for every 4xx: `{"detail": "...", "errors": {field: [...]}}` (`errors` only
when fields are at fault). A DomainError becomes a 400 with its message and field errors; invalid
input a 400 whose `errors` holds the field errors (v1 also repeats them at the top level,
deprecated); a body Django itself refuses (too large, read twice) a JSON 4xx; a throttled request
a 429 with `Retry-After`."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http.request import RawPostDataException
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tenants.errors import DomainError


def exception_handler(exc, context):
    """DomainError becomes a 400 with its message and field errors; everything else as DRF does."""
    if isinstance(exc, DomainError):
        body = {"detail": exc.message}
        if exc.field_errors:
            body["errors"] = exc.field_errors
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"detail": f"The body is larger than the limit of {limit} bytes."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, TooManyFieldsSent):
        return Response({"detail": "Too many fields."}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RawPostDataException):
        return Response(
            {"detail": "Send the body as JSON with 'Content-Type: application/json'."},
            status=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(response.data)
    return response


def _validation_body(data) -> dict:
    """`{"detail", "errors"}` for a serializer's errors. The field keys stay at the top level too
    (what v1 answered before; deprecated, see CHANGELOG.md) unless one is named like the shape."""
    if not isinstance(data, dict):
        data = {"non_field_errors": data if isinstance(data, list) else [data]}
    first = next(iter(data.values()), None)
    while isinstance(first, (list, dict)) and first:
        first = first[0] if isinstance(first, list) else next(iter(first.values()))
    detail = f"Invalid input: {first}" if isinstance(first, str) else "Invalid input."
    body = {key: value for key, value in data.items() if key not in ("detail", "errors")}
    body.update({"detail": detail, "errors": data})
    return body
