"""Content builders: an approved item with a variant, a webhook channel for its platform."""

from datetime import timedelta

import pytest
from django.utils import timezone

# Smallest valid files of each kind: the service sniffs the bytes, so these must be real headers.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def make_item(actor=None, **overrides):
    from content.services import item_create

    data = {
        "kind": "tip",
        "title": "Brew tip",
        "master_text": "Grind just before brewing. #kopi",
        "language": "id",
        "tags": ["tips"],
    }
    data.update(overrides)
    return item_create(actor=actor, **data)


def make_channel(actor=None, platforms=("x", "facebook", "instagram", "linkedin"), **overrides):
    from content.services import channel_create

    data = {"name": "Scheduler", "kind": "webhook", "webhook_url": "https://hooks.example.com/publish"}
    data.update(overrides)
    return channel_create(actor=actor, platforms=list(platforms), **data)[0]


def approved_variant(actor=None, platform="x", text=None, **item_overrides):
    from content.services import item_approve, item_submit, variant_create

    item = make_item(actor, **item_overrides)
    variant = variant_create(item_id=item.pk, actor=actor, platform=platform, text=text)
    item_submit(item_id=item.pk, actor=actor)
    item_approve(item_id=item.pk, actor=actor)
    variant.refresh_from_db()
    return variant


def soon(hours=2):
    return timezone.now() + timedelta(hours=hours)


@pytest.fixture
def uploaded_png():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("cup.png", PNG, content_type="image/png")


@pytest.fixture(autouse=True)
def _allow_local_webhooks(settings):
    """Channels in these tests post to example hosts or the local receiver on 127.0.0.1, which
    production refuses (pytest runs with DEBUG off); test_channels checks the refusal itself."""
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True


@pytest.fixture
def outsider(db):
    """Olga, the owner of another agency: no brand of hers is A or B."""
    from tenants.models import Agency, AgencyMembership, User

    agency = Agency.objects.create(slug="lain", name="Lain PR")
    user = User.objects.create_user("olga@lain.example.com", "x", name="Olga")
    AgencyMembership.objects.create(user=user, agency=agency, role="owner")
    return user


def published_variant(actor, channel, *, reach=1000, engaged=100, **item_overrides):
    """A variant confirmed live now, with one set of figures."""
    from content.services import variant_confirm_published, variant_metrics_record, variant_schedule

    variant = approved_variant(actor, **item_overrides)
    variant_schedule(variant_id=variant.pk, actor=actor, at=soon(0.1), channel_id=channel.pk)
    variant = variant_confirm_published(
        variant_id=variant.pk, actor=actor, platform_post_id=f"post-{variant.pk.hex[:10]}"
    )
    variant_metrics_record(
        variant_id=variant.pk, measured_at=timezone.now(), reach=reach, likes=engaged, comments=0
    )
    return variant
