"""Content services: the approval trail, edits after approval, media sniffing, and scheduling
refused with the broken rule named."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tenants.errors import DomainError
from tests.content.conftest import MP4, PNG, approved_variant, make_channel, make_item, soon

pytestmark = pytest.mark.django_db


def _actions(item):
    return list(item.history.order_by("at", "id").values_list("action", flat=True))


def test_draft_to_review_to_approved_is_on_the_history(in_brand_a, ayu):
    from content.services import item_approve, item_submit

    item = make_item(ayu)
    item_submit(item_id=item.pk, actor=ayu)
    item_submit(item_id=item.pk, actor=ayu)  # a repeat records nothing
    item = item_approve(item_id=item.pk, actor=ayu, comment="Nice")
    item_approve(item_id=item.pk, actor=ayu)
    assert item.status == "approved"
    assert _actions(item) == ["created", "submitted", "approved"]
    assert item.history.get(action="approved").actor_email == "ayu@example.com"


def test_reject_needs_a_comment_and_returns_to_draft(in_brand_a, ayu):
    from content.services import item_reject, item_submit

    item = make_item(ayu)
    item_submit(item_id=item.pk, actor=ayu)
    with pytest.raises(DomainError):
        item_reject(item_id=item.pk, actor=ayu, comment="  ")
    item = item_reject(item_id=item.pk, actor=ayu, comment="Too salesy")
    assert item.status == "draft"
    assert item.history.get(action="rejected").comment == "Too salesy"


def test_approving_a_draft_that_was_never_submitted_is_refused(in_brand_a, ayu):
    from content.services import item_approve

    item = make_item(ayu)
    with pytest.raises(DomainError, match="submit it first"):
        item_approve(item_id=item.pk, actor=ayu)


def test_roles_follow_the_content_matrix(in_brand_a, budi, citra, ayu):
    from content.services import item_approve, item_submit

    with pytest.raises(PermissionDenied):
        make_item(budi)  # client viewer
    with pytest.raises(PermissionDenied):
        make_item(citra)  # no grant on brand A
    item = make_item(ayu)
    item_submit(item_id=item.pk, actor=ayu)
    with pytest.raises(PermissionDenied):
        item_approve(item_id=item.pk, actor=budi)
    assert item.__class__.objects.get(pk=item.pk).status == "in_review"


def test_an_edit_after_approval_needs_a_new_approval_and_leaves_the_calendar(in_brand_a, ayu):
    from content.services import item_update, variant_schedule

    make_channel(ayu)
    variant = approved_variant(ayu)
    variant_schedule(variant_id=variant.pk, actor=ayu, at=soon())
    item_update(item_id=variant.item_id, actor=ayu, title="Brew tip")  # no change: nothing happens
    variant.refresh_from_db()
    assert variant.status == "scheduled"
    item_update(item_id=variant.item_id, actor=ayu, master_text="New text")
    variant.refresh_from_db()
    assert variant.status == "draft" and variant.item.status == "draft"
    assert _actions(variant.item)[-2:] == ["edited", "unscheduled"]


def test_schedule_is_refused_naming_the_broken_rule(in_brand_a, ayu):
    from content.services import variant_schedule

    make_channel(ayu)
    variant = approved_variant(ayu, text="a" * 300)
    with pytest.raises(DomainError) as caught:
        variant_schedule(variant_id=variant.pk, actor=ayu, at=soon())
    assert "280 characters" in caught.value.message
    assert caught.value.field_errors["rules"][0].startswith("text_length:")
    variant.refresh_from_db()
    assert variant.status == "draft" and variant.scheduled_at is None


def test_instagram_variant_without_media_cannot_be_scheduled(in_brand_a, ayu):
    from content.services import variant_schedule

    make_channel(ayu)
    variant = approved_variant(ayu, platform="instagram")
    with pytest.raises(DomainError) as caught:
        variant_schedule(variant_id=variant.pk, actor=ayu, at=soon())
    assert [r.split(":")[0] for r in caught.value.field_errors["rules"]] == ["media_count"]


def test_schedule_needs_approval_a_future_time_and_a_channel(in_brand_a, ayu):
    from content.services import item_create, variant_create, variant_schedule

    item = item_create(actor=ayu, kind="tip", title="t", master_text="m", language="en")
    draft = variant_create(item_id=item.pk, actor=ayu, platform="x")
    with pytest.raises(DomainError, match="approved"):
        variant_schedule(variant_id=draft.pk, actor=ayu, at=soon())
    variant = approved_variant(ayu)
    with pytest.raises(DomainError, match="No active channel"):
        variant_schedule(variant_id=variant.pk, actor=ayu, at=soon())
    make_channel(ayu)
    with pytest.raises(DomainError, match="passed"):
        variant_schedule(variant_id=variant.pk, actor=ayu, at=timezone.now() - timedelta(hours=1))
    scheduled = variant_schedule(variant_id=variant.pk, actor=ayu, at=soon())
    assert scheduled.status == "scheduled" and scheduled.channel.name == "Scheduler"


def test_scheduling_the_same_time_twice_records_once(in_brand_a, ayu):
    from content.services import variant_schedule

    make_channel(ayu)
    variant = approved_variant(ayu)
    at = soon()
    variant_schedule(variant_id=variant.pk, actor=ayu, at=at)
    variant_schedule(variant_id=variant.pk, actor=ayu, at=at)
    assert variant.item.history.filter(action="scheduled").count() == 1


def test_media_type_is_read_from_the_bytes(in_brand_a, ayu):
    from content.models import MediaRef
    from content.services import media_add

    item = make_item(ayu)
    media = media_add(item_id=item.pk, actor=ayu, upload=SimpleUploadedFile("x.bin", PNG))
    assert (media.kind, media.mime_type) == ("image", "image/png")
    video = media_add(item_id=item.pk, actor=ayu, upload=SimpleUploadedFile("clip.mp4", MP4))
    assert video.kind == "video"
    with pytest.raises(DomainError, match="JPEG"):
        media_add(item_id=item.pk, actor=ayu, upload=SimpleUploadedFile("cup.png", b"MZ\x90\x00 not a png"))
    assert MediaRef.objects.filter(item=item).count() == 2


def test_oversized_image_is_refused(in_brand_a, ayu, monkeypatch):
    from content.services import library, media_add

    monkeypatch.setitem(library.MEDIA_TYPES, "image/png", ("image", 100))
    item = make_item(ayu)
    with pytest.raises(DomainError, match="limit"):
        media_add(item_id=item.pk, actor=ayu, upload=SimpleUploadedFile("big.png", PNG + b"\x00" * 200))


def test_variant_with_media_of_another_item_is_refused(in_brand_a, ayu, uploaded_png):
    from content.services import media_add, variant_create

    other = make_item(ayu, title="Other")
    media = media_add(item_id=other.pk, actor=ayu, upload=uploaded_png)
    item = make_item(ayu)
    with pytest.raises(DomainError, match="do not belong"):
        variant_create(item_id=item.pk, actor=ayu, platform="instagram", media_ids=[media.pk])
    assert not item.variants.exists()


def test_instagram_variant_with_an_image_schedules(in_brand_a, ayu, uploaded_png):
    from content.services import item_approve, item_submit, media_add, variant_create, variant_schedule

    make_channel(ayu)
    item = make_item(ayu)
    media = media_add(item_id=item.pk, actor=ayu, upload=uploaded_png)
    variant = variant_create(item_id=item.pk, actor=ayu, platform="instagram", media_ids=[media.pk])
    item_submit(item_id=item.pk, actor=ayu)
    item_approve(item_id=item.pk, actor=ayu)
    assert variant_schedule(variant_id=variant.pk, actor=ayu, at=soon()).status == "scheduled"


def test_confirm_published_is_idempotent_and_one_post_per_variant(in_brand_a, ayu):
    from content.services import variant_confirm_published, variant_schedule

    make_channel(ayu)
    variant = approved_variant(ayu)
    variant_schedule(variant_id=variant.pk, actor=ayu, at=soon())
    done = variant_confirm_published(
        variant_id=variant.pk, actor=None, platform_post_id="17", url="https://x.com/p/17"
    )
    again = variant_confirm_published(variant_id=variant.pk, actor=None, platform_post_id="17")
    assert done.status == again.status == "published" and again.platform_url == "https://x.com/p/17"
    with pytest.raises(DomainError, match="already published"):
        variant_confirm_published(variant_id=variant.pk, actor=None, platform_post_id="18")
    assert variant.item.history.filter(action="published").count() == 1


def test_metrics_for_an_unpublished_variant_are_refused(in_brand_a, ayu):
    from content.services import variant_metrics_record

    variant = approved_variant(ayu)
    with pytest.raises(DomainError, match="published"):
        variant_metrics_record(variant_id=variant.pk, measured_at=timezone.now(), reach=5)
