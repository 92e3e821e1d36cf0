"""Channel adapters: how one variant reaches its channel. A signed webhook to the brand's
publishing integration (Standard Webhooks, signed by tenants/webhook_signing.py with the channel's secret), an email to a
person, or manual (the variant's page is the checklist; a person confirms by hand). Every
outbound HTTP request goes through `http_post`, the one place to swap for a shared client."""

import json
import time

from django.db import connection
from django.utils.translation import gettext as _

from content.models import Channel, Variant
from tenants.localization import reader_context
from tenants.mail import brand_email
from tenants.outbound import OutboundError, outbound_request
from tenants.webhook_signing import webhook_headers

TIMEOUT = (5, 10)  # connect, read: well inside the task's time limit and the claim's lease
USER_AGENT = "Tanggap-Publishing/1"
EVENT = "content.publish_requested"


class DeliveryError(Exception):
    """The channel did not take the post. `permanent` errors are not retried (a 4xx answer)."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason[:500]
        self.permanent = permanent


def http_post(url: str, body: bytes, headers: dict[str, str]) -> int:
    """POST `body` and return the status code, through the one outbound client: resolved once,
    public addresses only, time-capped, no redirects followed, the answer's body never read."""
    timeout = TIMEOUT if isinstance(TIMEOUT, tuple) else (TIMEOUT, TIMEOUT)
    try:
        return outbound_request(
            "POST", url, data=body, headers=headers, timeout=timeout, read_body=False
        ).status_code
    except OutboundError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:500]) from exc


def publish_payload(variant: Variant) -> dict:
    brand = connection.tenant
    return {
        "type": EVENT,
        "brand": brand.slug,
        "data": {
            "variant_id": str(variant.pk),
            "item_id": str(variant.item_id),
            "kind": variant.item.kind,
            "platform": variant.platform,
            "language": variant.item.language,
            "text": variant.text,
            "media": [
                {
                    "url": brand.url(m.file.url),
                    "kind": m.kind,
                    "mime_type": m.mime_type,
                    "alt_text": m.alt_text,
                }
                for m in variant.media.order_by("created_at")
            ],
            "scheduled_at": variant.scheduled_at.isoformat() if variant.scheduled_at else None,
            "publication": variant.publications + 1,  # 1, then 2, 3 … for evergreen repeats
            "confirm_url": brand.url(f"/api/v1/content/variants/{variant.pk}/confirm-published/"),
        },
    }


def _deliver_webhook(variant: Variant, channel: Channel) -> None:
    body = json.dumps(publish_payload(variant), separators=(",", ":")).encode()
    timestamp = int(time.time())
    # The message id names the variant and its publication: the same on every attempt, so the
    # integration can drop a delivery it already acted on (an answer lost in a timeout is then
    # harmless), and new for an evergreen repeat, which the integration must not drop as a copy.
    msg_id = (
        f"msg_{variant.pk}" if not variant.publications else f"msg_{variant.pk}_{variant.publications + 1}"
    )
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **webhook_headers(secrets_=[channel.webhook_secret], msg_id=msg_id, timestamp=timestamp, body=body),
    }
    status = http_post(channel.webhook_url, body, headers)
    if 200 <= status < 300:
        return
    permanent = 400 <= status < 500 and status not in (408, 409, 425, 429)
    raise DeliveryError(f"The publishing integration answered HTTP {status}.", permanent=permanent)


def _deliver_email(variant: Variant, channel: Channel) -> None:
    brand = connection.tenant
    page = brand.url(f"/admin/content/variant/{variant.pk}/change/")
    with reader_context(brand=brand):  # the brand's language and zone
        subject = _("Please post on %(platform)s: %(title)s") % {
            "platform": variant.get_platform_display(),
            "title": variant.item.title,
        }
        lines = [
            _("It is time to post this on %(platform)s for %(brand)s.")
            % {"platform": variant.get_platform_display(), "brand": brand.name},
            "",
            variant.text,
            "",
        ]
        media = list(variant.media.order_by("created_at"))
        if media:
            lines.append(_("Media:"))
            lines += [brand.url(m.file.url) for m in media]
            lines.append("")
        lines.append(
            _("When it is live, confirm it with the post's id and URL here: %(url)s") % {"url": page}
        )
    try:
        brand_email(subject=subject, body="\n".join(lines), to=[channel.email_to], brand=brand).send()
    except OSError as exc:  # a mail server that is down: retried
        raise DeliveryError(f"Email not sent: {exc}"[:500]) from exc


def deliver(variant: Variant) -> None:
    """Hand the variant to its channel; raise DeliveryError when the channel did not take it."""
    channel = variant.channel
    if channel is None or not channel.active:
        raise DeliveryError("The variant's channel is missing or inactive.", permanent=True)
    if channel.kind == Channel.Kind.WEBHOOK:
        _deliver_webhook(variant, channel)
    elif channel.kind == Channel.Kind.EMAIL:
        _deliver_email(variant, channel)
    # Manual: nothing leaves; the variant's admin page is the checklist and a person confirms.
