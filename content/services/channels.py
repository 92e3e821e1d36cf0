"""The brand's publishing channels: made with a signing secret shown once, deactivated (never
deleted while variants point at them)."""

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from content.models import Channel
from content.permissions import require_content_action
from tenants.errors import DomainError
from tenants.platforms import PUBLISHING_PLATFORMS
from tenants.webhook_signing import webhook_secret_new


def _webhook_address_problem(url: str) -> str:
    """In production a publishing webhook must be https to a public address (no SSRF into the
    platform's own network); development and tests post to a local receiver."""
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE_HOSTS", settings.DEBUG):
        return ""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return _("Use https.")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (OSError, ValueError):
        return _("The host does not resolve.")
    if any(not ipaddress.ip_address(a).is_global for a in addresses):
        return _("Not a public address.")
    return ""


@transaction.atomic
def channel_create(
    *,
    actor,
    name: str,
    kind: str,
    platforms: Iterable[str],
    webhook_url: str = "",
    email_to: str = "",
) -> tuple[Channel, str]:
    """Make a channel. Returns it with its webhook signing secret (empty for other kinds), which
    is shown to the caller this once."""
    require_content_action(actor, "manage_channels")
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("Give a name of up to 100 characters.")]
    if kind not in Channel.Kind.values:
        errors["kind"] = [_("Use webhook, email or manual.")]
    platforms = list(dict.fromkeys(platforms or []))
    unknown = [p for p in platforms if p not in PUBLISHING_PLATFORMS]
    if not platforms or unknown:
        errors["platforms"] = [
            _("Choose platforms from: %(list)s") % {"list": ", ".join(PUBLISHING_PLATFORMS)}
        ]
    if kind == Channel.Kind.WEBHOOK:
        try:
            URLValidator(schemes=["http", "https"])(webhook_url or "")
        except ValidationError:
            errors["webhook_url"] = [_("A webhook channel needs an http(s) URL.")]
        else:
            problem = _webhook_address_problem(webhook_url)
            if problem:
                errors["webhook_url"] = [problem]
    if kind == Channel.Kind.EMAIL:
        try:
            validate_email(email_to or "")
        except ValidationError:
            errors["email_to"] = [_("An email channel needs an email address.")]
    if errors:
        raise DomainError(_("The channel could not be saved."), field_errors=errors)
    # Standard Webhooks secrets (tenants/webhook_signing.py).
    secret = webhook_secret_new() if kind == Channel.Kind.WEBHOOK else ""
    channel = Channel.objects.create(
        name=name,
        kind=kind,
        platforms=platforms,
        webhook_url=webhook_url if kind == Channel.Kind.WEBHOOK else "",
        webhook_secret=secret,
        email_to=email_to if kind == Channel.Kind.EMAIL else "",
    )
    return channel, secret


@transaction.atomic
def channel_set_active(*, channel_id: UUID, actor, active: bool) -> Channel:
    require_content_action(actor, "manage_channels")
    channel = Channel.objects.select_for_update().filter(pk=channel_id).first()
    if channel is None:
        raise DomainError(_("No such channel."))
    if channel.active != active:
        channel.active = active
        channel.save(update_fields=["active"])
    return channel
