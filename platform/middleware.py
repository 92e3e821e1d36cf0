"""Clear answers while the database is unreachable: `/healthz` and the API answer a JSON 503 with
`Retry-After`, pages a short translated 503 page, instead of an HTML 500 a load balancer cannot
tell from a bug.

Django turns an exception raised in any inner middleware (the host router queries the Domain table
before any view) into a 500 response before an outer middleware sees it, so a
`got_request_exception` receiver marks the request when the exception was a database connection
error, and the outermost middleware swaps that 500 for the 503."""

import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

# Seconds a client should wait before retrying; a restarted database is usually back within this.
RETRY_AFTER_SECONDS = 30
_MARK = "_database_unavailable"


@receiver(got_request_exception, dispatch_uid="platform.database_unavailable_mark")
def _mark_database_unavailable(sender, request=None, **kwargs) -> None:
    exc = sys.exc_info()[1]
    if request is not None and isinstance(exc, OperationalError | InterfaceError):
        setattr(request, _MARK, True)


def database_unavailable_response(request) -> HttpResponse:
    """The 503 for a request that could not reach the database: JSON for the API, a page otherwise."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {
                    "detail": _("The service is temporarily unavailable. Please retry later."),
                    "code": "database_unavailable",
                },
                status=503,
            )
        else:
            title = _("Temporarily unavailable")
            text = _("Tanggap cannot reach its database right now. Please try again in a minute.")
            response = HttpResponse(
                format_html(
                    '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{}</title></head>'
                    "<body><h1>{}</h1><p>{}</p></body></html>",
                    language,
                    title,
                    title,
                    text,
                ),
                status=503,
                content_type="text/html; charset=utf-8",
            )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Outermost: replaces the 500 of a request that failed on a database connection error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 500 and getattr(request, _MARK, False):
            if request.path == "/healthz":
                # The health view reports the database itself (and the broker beside it); only the
                # host router stood in its way.
                from platform.views import healthz

                return healthz(request)
            return database_unavailable_response(request)
        return response
