"""The audit trail: `audit_record(...)` is the one way services write an AuditEvent; the request's
host, address and user reach it through a context variable set by AuditContextMiddleware, so a
service needs no request. Sign-ins and lockouts arrive as Django's and django-axes' signals."""

from __future__ import annotations

import contextvars
import datetime
import decimal
import uuid
from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import DisallowedHost
from django.db import connection, models
from django.dispatch import receiver
from django.http import HttpRequest

from tenants.lockout import client_ip
from tenants.models import Agency, AuditEvent, Brand, User

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("audit_request", default=None)

Action = AuditEvent.Action


class AuditContextMiddleware:
    """Makes the current request (host, client address, signed-in user) known to audit_record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def _plain(value: Any) -> Any:
    """A value as JSON can hold it."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, uuid.UUID, decimal.Decimal)):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def diff(before: dict, after: dict) -> dict:
    """{"field": {"before": x, "after": y}} for the fields whose value differs."""
    return {
        name: {"before": _plain(before.get(name)), "after": _plain(after.get(name))}
        for name in sorted(set(before) | set(after))
        if _plain(before.get(name)) != _plain(after.get(name))
    }


def snapshot(obj: models.Model, fields: list[str]) -> dict:
    return {name: _plain(getattr(obj, name)) for name in fields}


def _current_brand() -> Brand | None:
    tenant = getattr(connection, "tenant", None)
    if isinstance(tenant, Brand) and tenant.schema_name != "public" and not tenant.is_template:
        return tenant
    return None


def audit_record(
    *,
    action: str,
    actor: User | None = None,
    brand: Brand | None = None,
    agency: Agency | None = None,
    target: models.Model | None = None,
    target_repr: str = "",
    changes: dict | None = None,
    request: HttpRequest | None = None,
    in_current_brand: bool = False,
) -> AuditEvent:
    """Append one event. The actor defaults to the signed-in user of the current request, the host
    and address come from the request, the agency from the brand. `in_current_brand` takes the
    brand from the schema the caller runs in (services of the brand apps)."""
    request = request or _request.get()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if brand is None and in_current_brand:
        brand = _current_brand()
    if agency is None and brand is not None and brand.agency_id:
        agency = Agency(pk=brand.agency_id)
    host = ""
    address = None
    if request is not None:
        try:
            host = request.get_host()
        except (DisallowedHost, KeyError):  # force_login's bare request has no host; keep writing
            host = request.META.get("HTTP_HOST", "")[:255]
        address = client_ip(request)
    return AuditEvent.objects.create(
        action=action,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_email=getattr(actor, "email", "") or "",
        host=host[:255],
        ip_address=address,
        agency_id=agency.pk if agency is not None else None,
        brand_id=brand.pk if brand is not None else None,
        brand_slug=brand.slug if brand is not None else "",
        target_type=target._meta.model_name if target is not None else "",
        target_id=str(target.pk) if target is not None and target.pk is not None else "",
        target_repr=(target_repr or (str(target) if target is not None else ""))[:300],
        changes=_plain(changes or {}),
    )


@receiver(user_logged_in)
def _record_sign_in(sender, request=None, user=None, **kwargs) -> None:
    brand = getattr(request, "tenant", None) if request is not None else None
    brand = brand if isinstance(brand, Brand) and brand.schema_name != "public" else None
    # On the main host an agency member's sign-in belongs to their agency's trail.
    agency = None if brand is not None else Agency.objects.filter(memberships__user=user).first()
    audit_record(action=Action.SIGN_IN, actor=user, request=request, brand=brand, agency=agency)


@receiver(user_locked_out)
def _record_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    user = User.objects.filter(email__iexact=username).first() if username else None
    brand = getattr(request, "tenant", None) if request is not None else None
    audit_record(
        action=Action.LOCKOUT,
        actor=user,
        request=request,
        brand=brand if isinstance(brand, Brand) and brand.schema_name != "public" else None,
        changes={"account": username or "", "address": ip_address or ""},
    )
