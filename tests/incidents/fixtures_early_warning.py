"""Shared builders for the early-warning tests: intake rows as an integration sends them, and
already-scored mentions written straight to the brand's tables for detector scenarios."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests.webhook_server import webhook_server_fixture  # noqa: F401 - re-exported

# Test modules import the fixtures here by their *_fixture names (pytest finds them by `name`).


_seq = itertools.count(1)


def mention_row(**overrides) -> dict:
    """One intake row (JSON-ready) with a fresh external id unless given."""
    n = next(_seq)
    row = {
        "platform": "instagram",
        "external_id": f"ig-{n}",
        "kind": "comment",
        "author_handle": f"@user{n}",
        "author_name": f"User {n}",
        "text": "Kopinya enak, pelayanan ramah",
        "url": f"https://instagram.com/p/{n}",
        "posted_at": (timezone.now() - timedelta(minutes=5)).isoformat(),
        "reach": 10,
        "engagement": 1,
    }
    row.update(overrides)
    return row


def mentions_build(
    count: int,
    *,
    at: datetime,
    band: str = "negative",
    complaint: bool = False,
    spread: timedelta = timedelta(minutes=50),
    text: str = "kecewa nomor {n}",
    author: str | None = None,
    answered: bool = False,
    platform: str = "instagram",
) -> list:
    """`count` scored, unsaved mentions posted evenly over `spread`, the newest at `at`."""
    from incidents.models import Mention

    step = spread / max(count, 1)
    now = timezone.now()
    rows = []
    for i in range(count):
        n = next(_seq)
        rows.append(
            Mention(
                platform=platform,
                external_id=f"s-{n}",
                kind=Mention.Kind.COMMENT,
                author_handle=author or f"author{n}",
                text=text if "{n}" not in text else text.format(n=n),
                posted_at=at - step * i,
                sentiment=-0.6 if band == "negative" else (0.6 if band == "positive" else 0.0),
                sentiment_band=band,
                is_complaint=complaint,
                scored_at=now,
                answered_at=now if answered else None,
            )
        )
    return rows


def mentions_create(count: int, **kwargs) -> list:
    """Write `count` scored mentions in one statement (no scoring task involved)."""
    from incidents.models import Mention

    return Mention.objects.bulk_create(mentions_build(count, **kwargs))


def normal_traffic(
    *, now: datetime, days: int = 7, negatives_per_hour: int = 3, positives_per_hour: int = 10
):
    """A week of ordinary chatter: a few negatives and more positives every hour, all answered."""
    from incidents.models import Mention

    rows = []
    for hour in range(1, days * 24 + 1):
        at = now - timedelta(hours=hour)
        rows += mentions_build(
            negatives_per_hour, at=at, band="negative", answered=True, text="agak lambat {n}"
        )
        rows += mentions_build(positives_per_hour, at=at, band="positive", answered=True, text="mantap {n}")
    Mention.objects.bulk_create(rows)


@pytest.fixture(name="detector_settings")
def detector_settings_fixture(in_brand_a):
    from incidents.models import DetectorSettings

    return DetectorSettings.objects.create(pk=1, brand_handles="@kopinusantara")


@pytest.fixture(name="allow_private_webhooks")
def allow_private_webhooks_fixture(settings):
    """The local test receiver listens on 127.0.0.1, which production refuses (pytest runs with
    DEBUG off, so the development default does not apply)."""
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True
