"""API error shape: `{"detail": "...", "errors": {field: [...]}}`. A DomainError becomes a 400 with
its message and field errors; a body Django itself refuses (too large, read twice) a JSON 4xx."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http.request import RawPostDataException
from rest_framework import status
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
    return drf_exception_handler(exc, context)
