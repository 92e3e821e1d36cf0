"""Content in the brand admin: adding items and variants through the services, scheduling refused
with the rule named, reject with a comment, channels with a secret shown once; roles from the
content matrix; Citra and Budi kept out."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context

from tests.content.conftest import PNG, approved_variant, make_channel, make_item

pytestmark = pytest.mark.django_db


def test_add_an_item_in_the_admin_records_who_made_it(client_a, ayu, in_brand_a):
    from content.models import ContentItem

    response = client_a.login_as(ayu).post(
        "/admin/content/contentitem/add/",
        {
            "kind": "inspiration",
            "title": "Pagi",
            "master_text": "Selamat pagi #kopi",
            "language": "id",
            "tags": "pagi, Kopi",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = ContentItem.objects.get(title="Pagi")
    assert item.tags == ["pagi", "kopi"] and item.created_by_email == "ayu@example.com"
    assert list(item.history.values_list("action", flat=True)) == ["created"]


def test_item_page_shows_variants_rules_and_history(client_a, ayu, in_brand_a):
    make_channel(ayu)
    variant = approved_variant(ayu, text="x" * 300)
    html = (
        client_a.login_as(ayu).get(f"/admin/content/contentitem/{variant.item_id}/change/").content.decode()
    )
    assert "allows 280 characters; this text counts 300" in html
    assert "Approved" in html and "Reject with a comment" in html


def test_submit_and_approve_actions_go_through_the_services(client_a, ayu, in_brand_a):
    from content.models import ContentItem

    item = make_item(ayu)
    client_a.login_as(ayu)
    url = "/admin/content/contentitem/"
    client_a.post(url, {"action": "submit_items", "_selected_action": [str(item.pk)]})
    client_a.post(url, {"action": "approve_items", "_selected_action": [str(item.pk)]})
    item = ContentItem.objects.get(pk=item.pk)
    assert item.status == "approved"
    assert list(item.history.values_list("action", flat=True)) == ["created", "submitted", "approved"]


def test_approving_a_draft_in_the_admin_shows_the_reason_and_changes_nothing(client_a, ayu, in_brand_a):
    from content.models import ContentItem

    item = make_item(ayu)
    response = client_a.login_as(ayu).post(
        "/admin/content/contentitem/",
        {"action": "approve_items", "_selected_action": [str(item.pk)]},
        follow=True,
    )
    assert "submit it first" in response.content.decode()
    assert ContentItem.objects.get(pk=item.pk).status == "draft"


def test_reject_with_a_comment(client_a, ayu, in_brand_a):
    from content.services import item_submit

    item = make_item(ayu)
    item_submit(item_id=item.pk, actor=ayu)
    client_a.login_as(ayu)
    empty = client_a.post(f"/admin/content/contentitem/{item.pk}/reject/", {"comment": ""})
    assert empty.status_code == 200 and "This field is required" in empty.content.decode()
    done = client_a.post(f"/admin/content/contentitem/{item.pk}/reject/", {"comment": "Too long"})
    assert done.status_code == 302
    assert item.history.get(action="rejected").comment == "Too long"


def test_upload_media_in_the_admin(client_a, ayu, in_brand_a):
    item = make_item(ayu)
    client_a.login_as(ayu)
    bad = client_a.post(
        f"/admin/content/contentitem/{item.pk}/media/",
        {"file": SimpleUploadedFile("a.png", b"<?php echo 1;")},
    )
    assert bad.status_code == 200 and "Unsupported file type" in bad.content.decode()
    ok = client_a.post(
        f"/admin/content/contentitem/{item.pk}/media/", {"file": SimpleUploadedFile("a.png", PNG)}
    )
    assert ok.status_code == 302 and item.media.get().kind == "image"


def test_schedule_in_the_admin_names_the_broken_rule(client_a, ayu, in_brand_a):
    make_channel(ayu)
    variant = approved_variant(ayu, platform="instagram")
    response = client_a.login_as(ayu).post(
        f"/admin/content/variant/{variant.pk}/schedule/", {"at": "2031-01-05 09:00"}
    )
    assert response.status_code == 200 and "needs at least 1 media file" in response.content.decode()
    variant.refresh_from_db()
    assert variant.status == "draft"


def test_schedule_in_the_admin_reads_the_time_in_the_brands_zone(client_a, ayu, in_brand_a):
    from datetime import UTC, datetime

    make_channel(ayu)
    variant = approved_variant(ayu)
    response = client_a.login_as(ayu).post(
        f"/admin/content/variant/{variant.pk}/schedule/", {"at": "2031-01-05 09:00"}
    )
    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.scheduled_at == datetime(2031, 1, 5, 2, 0, tzinfo=UTC)  # 09:00 in Jakarta


def test_add_a_variant_in_the_admin(client_a, ayu, in_brand_a):
    item = make_item(ayu)
    response = client_a.login_as(ayu).post(
        "/admin/content/variant/add/", {"item": str(item.pk), "platform": "linkedin"}
    )
    assert response.status_code == 302
    assert item.variants.get().text == item.master_text
    dup = client_a.post("/admin/content/variant/add/", {"item": str(item.pk), "platform": "linkedin"})
    assert dup.status_code == 200 and "already has a variant" in dup.content.decode()


def test_add_a_webhook_channel_shows_its_secret_once(client_a, ayu, in_brand_a):
    from content.models import Channel

    response = client_a.login_as(ayu).post(
        "/admin/content/channel/add/",
        {
            "name": "Buffer",
            "kind": "webhook",
            "platforms": ["x", "facebook"],
            "webhook_url": "https://h.example.com/",
        },
        follow=True,
    )
    channel = Channel.objects.get()
    assert channel.webhook_secret in response.content.decode()
    again = client_a.get("/admin/content/channel/").content.decode()
    assert channel.webhook_secret not in again


PAGES = [
    "/admin/content/contentitem/",
    "/admin/content/contentitem/{item}/change/",
    "/admin/content/contentitem/{item}/reject/",
    "/admin/content/contentitem/{item}/media/",
    "/admin/content/variant/",
    "/admin/content/variant/{variant}/change/",
    "/admin/content/variant/{variant}/schedule/",
    "/admin/content/variant/{variant}/confirm/",
    "/admin/content/variant/calendar/?date=2031-01-01",
    "/admin/content/channel/",
    "/admin/content/variantmetric/",
    "/admin/content/crisishold/",
    "/admin/content/contentsettings/",
    "/admin/content/contentsettings/1/change/",
]


def _objects(brand_a, ayu):
    with tenant_context(brand_a):
        make_channel(ayu)
        variant = approved_variant(ayu, title="Secret launch")
        return {"item": variant.item_id, "variant": variant.pk}


@pytest.mark.parametrize("page", PAGES)
def test_citra_cannot_open_brand_a_content_pages(client_a, citra, brand_a, ayu, page):
    ids = _objects(brand_a, ayu)
    response = client_a.login_as(citra).get(page.format(**ids))
    assert response.status_code in (403, 404) and "Secret launch" not in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_citra_on_brand_b_finds_nothing_of_brand_a(client_b, citra, brand_a, ayu, page):
    ids = _objects(brand_a, ayu)
    response = client_b.login_as(citra).get(page.format(**ids), follow=True)
    assert "Secret launch" not in response.content.decode()
    if "{" in page:
        assert response.redirect_chain or response.status_code == 404


def test_budi_reads_but_cannot_write(client_a, budi, brand_a, ayu):
    from content.models import ContentItem

    ids = _objects(brand_a, ayu)
    client_a.login_as(budi)
    assert client_a.get(f"/admin/content/contentitem/{ids['item']}/change/").status_code == 200
    assert client_a.get("/admin/content/contentitem/add/").status_code == 403
    assert client_a.get(f"/admin/content/contentitem/{ids['item']}/reject/").status_code == 403
    assert (
        client_a.post(
            f"/admin/content/variant/{ids['variant']}/schedule/", {"at": "2031-01-05 09:00"}
        ).status_code
        == 403
    )
    assert client_a.get("/admin/content/channel/add/").status_code == 403
    client_a.post(
        f"/admin/content/contentitem/{ids['item']}/change/",
        {"kind": "tip", "title": "Hacked", "master_text": "x", "language": "en"},
    )
    listing = client_a.get("/admin/content/contentitem/").content.decode()
    assert "approve_items" not in listing and "submit_items" not in listing
    with tenant_context(brand_a):
        assert ContentItem.objects.get().title == "Secret launch"


def test_budi_cannot_confirm_or_retry(client_a, budi, brand_a, ayu):
    from content.models import Variant

    ids = _objects(brand_a, ayu)
    client_a.login_as(budi)
    assert (
        client_a.post(
            f"/admin/content/variant/{ids['variant']}/confirm/", {"platform_post_id": "1"}
        ).status_code
        == 403
    )
    listing = client_a.get("/admin/content/variant/").content.decode()
    assert "retry_publishing" not in listing
    with tenant_context(brand_a):
        assert Variant.objects.get().status == "draft"


def test_retry_action_puts_a_failed_variant_back_on_the_way(client_a, ayu, in_brand_a):
    from content.models import Variant

    make_channel(ayu)
    variant = approved_variant(ayu)
    Variant.objects.filter(pk=variant.pk).update(
        status="failed", scheduled_at="2030-01-01T00:00Z", failures=5
    )
    client_a.login_as(ayu).post(
        "/admin/content/variant/", {"action": "retry_publishing", "_selected_action": [str(variant.pk)]}
    )
    variant.refresh_from_db()
    assert variant.status == "scheduled" and variant.failures == 0 and variant.next_attempt_at is not None


def test_hold_settings_change_through_the_service_and_not_by_budi(client_a, ayu, budi, in_brand_a):
    from content.models import ContentSettings

    client_a.login_as(ayu)
    assert client_a.get("/admin/content/contentsettings/").status_code == 200
    response = client_a.post(
        "/admin/content/contentsettings/1/change/", {"hold_enabled": "on", "hold_at_severity": "3"}
    )
    assert response.status_code == 302
    assert ContentSettings.objects.get().hold_at_severity == 3
    client_a.login_as(budi)
    client_a.post("/admin/content/contentsettings/1/change/", {"hold_at_severity": "1"})
    assert ContentSettings.objects.get().hold_at_severity == 3


def test_calendar_month_and_week_views_in_the_brands_zone(client_a, ayu, in_brand_a):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from content.models import Variant

    make_channel(ayu)
    variant = approved_variant(ayu, title="Kopi pagi")
    held = approved_variant(ayu, title="Diskon", kind="promotion")
    jakarta = ZoneInfo("Asia/Jakarta")
    # 00:30 on 2 Jan 2031 in Jakarta is still 1 Jan in UTC: the calendar shows the brand's day.
    Variant.objects.filter(pk=variant.pk).update(
        status="scheduled", scheduled_at=datetime(2031, 1, 2, 0, 30, tzinfo=jakarta)
    )
    Variant.objects.filter(pk=held.pk).update(
        status="held", scheduled_at=datetime(2031, 1, 3, 9, 0, tzinfo=jakarta)
    )
    client_a.login_as(ayu)
    month = client_a.get("/admin/content/variant/calendar/?date=2031-01-15").content.decode()
    assert "00:30 X · Kopi pagi" in month and "09:00 X · Diskon" in month and "Held (crisis)" in month
    week = client_a.get(
        "/admin/content/variant/calendar/?view=week&date=2031-01-02&status=held"
    ).content.decode()
    assert "Diskon" in week and "Kopi pagi" not in week
    bad = client_a.get("/admin/content/variant/calendar/?date=nonsense&platform=%00&kind=x&status=y")
    assert bad.status_code == 200
