"""The brand's content calendar as an iCalendar feed (RFC 5545, built with the `icalendar`
library) at a secret, revocable link, so staff see it in their calendar app. Only a hash of the
link's token is stored; a new link revokes the old one."""

import hashlib
import secrets
from datetime import timedelta

from django.db import connection, transaction
from django.http import Http404, HttpResponse
from django.utils import timezone
from icalendar import Calendar, Event

from content.models import ContentSettings
from content.permissions import require_content_action
from content.selectors import calendar_list

FEED_PAST = timedelta(days=31)
FEED_FUTURE = timedelta(days=92)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_rotate(*, actor) -> str:
    """Make a new feed link and return its token (shown once); the old link stops working."""
    require_content_action(actor, "manage_channels")
    row = ContentSettings.objects.select_for_update().get_or_create(pk=1)[0]
    token = secrets.token_urlsafe(32)
    row.feed_token_hash, row.feed_created_at = _hash(token), timezone.now()
    row.save(update_fields=["feed_token_hash", "feed_created_at", "updated_at"])
    return token


@transaction.atomic
def calendar_feed_revoke(*, actor) -> None:
    require_content_action(actor, "manage_channels")
    ContentSettings.objects.filter(pk=1).update(feed_token_hash="", feed_created_at=None)


def calendar_feed_url(token: str) -> str:
    return connection.tenant.url(f"/feeds/content/{token}.ics")


def calendar_feed_ics() -> bytes:
    brand = connection.tenant
    now = timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//Tanggap//Content calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{brand.name} · content")
    cal.add("x-wr-timezone", brand.timezone)
    host = brand.primary_host
    for variant in calendar_list(start=now - FEED_PAST, end=now + FEED_FUTURE):
        event = Event()
        event.add("uid", f"{variant.pk}@{host}")
        event.add("dtstamp", now)
        event.add("dtstart", variant.calendar_time)
        event.add("duration", timedelta(minutes=15))
        event.add(
            "summary",
            f"[{variant.get_platform_display()}] {variant.item.title} ({variant.get_status_display()})",
        )
        event.add("description", variant.text[:2000])
        event.add("url", brand.url(f"/admin/content/variant/{variant.pk}/change/"))
        cal.add_component(event)
    return cal.to_ical()


def calendar_feed_view(request, token: str):
    """Public, authorised by the secret link alone; a wrong or revoked link is a plain 404."""
    if (
        not token
        or not ContentSettings.objects.filter(pk=1, feed_token_hash=_hash(token))
        .exclude(feed_token_hash="")
        .exists()
    ):
        raise Http404
    response = HttpResponse(calendar_feed_ics(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
