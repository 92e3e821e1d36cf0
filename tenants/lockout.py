"""Sign-in lockout (django-axes) as Tanggap shows and records it: which account and address a
failure counts against, the page or JSON a locked-out client gets, and a log line with the host."""

import logging

from axes.helpers import get_cool_off
from axes.signals import user_locked_out
from django.conf import settings
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger("tenants.lockout")


def login_username(request: HttpRequest, credentials: dict | None) -> str | None:
    """The account a failure counts against: emails are stored in lower case, so `AYU@x` and
    `ayu@x ` are one account to the counter too."""
    raw = (credentials or {}).get("username") or request.POST.get("username")
    return raw.strip().lower()[:255] if isinstance(raw, str) and raw.strip() else None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the socket's, or with TRUSTED_PROXY_COUNT proxies in front, the
    entry that many places from the right of X-Forwarded-For (the left part is client-written)."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.META.get("HTTP_ACCEPT", "")


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """429: a JSON error for the API, a translated page for the login forms."""
    minutes = int(get_cool_off(request).total_seconds() // 60) if get_cool_off(request) else None
    message = _("Too many failed sign-ins. Sign-in is locked for %(minutes)d minutes.") % {
        "minutes": minutes or 0
    }
    if _wants_json(request):
        return JsonResponse({"detail": message, "code": "login_locked"}, status=429)
    return render(request, "tenants/locked_out.html", {"message": message, "minutes": minutes}, status=429)


@receiver(user_locked_out)
def log_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    host = request.get_host() if request is not None else "-"
    logger.warning("Sign-in locked out: account=%s address=%s host=%s", username, ip_address, host)
