"""API error shape: a DomainError becomes a 400 with its message and field errors."""

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
    return drf_exception_handler(exc, context)
