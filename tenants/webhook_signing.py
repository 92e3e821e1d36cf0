"""Standard Webhooks (https://www.standardwebhooks.com), the one signing of every outgoing webhook
(crisis events, content publishing): `webhook-id`, `webhook-timestamp` and `webhook-signature`
headers, signed with the specification's reference library (`standardwebhooks`), so any receiver
verifies with the same library in its own language.

Secrets are `whsec_` + base64 of 32 random bytes. During a rotation's overlap the signature header
carries one signature per secret (`v1,<new> v1,<old>`), which the reference verifiers accept with
either secret, so a receiver can switch secrets without a window of failures.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from datetime import UTC, datetime

from standardwebhooks import Webhook

SECRET_PREFIX = "whsec_"  # noqa: S105 (the specification's public prefix, not a secret)


def webhook_secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_signature(*, secrets_: Iterable[str], msg_id: str, timestamp: int, body: str | bytes) -> str:
    """The `webhook-signature` value: one `v1,<base64>` per secret, space-separated."""
    if isinstance(body, bytes):
        body = body.decode("utf-8")
    when = datetime.fromtimestamp(timestamp, tz=UTC)
    return " ".join(Webhook(secret).sign(msg_id, when, body) for secret in secrets_ if secret)


def webhook_headers(
    *, secrets_: Iterable[str], msg_id: str, timestamp: int, body: str | bytes
) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": webhook_signature(
            secrets_=secrets_, msg_id=msg_id, timestamp=timestamp, body=body
        ),
    }


def webhook_verify(*, secret: str, headers: dict[str, str], body: str | bytes):
    """The parsed body when `headers` carry a valid, recent signature by `secret`; raises
    `standardwebhooks.WebhookVerificationError` otherwise (what a receiver runs)."""
    return Webhook(secret).verify(body, headers)
