"""Performance: a published variant's metrics and the replies to its post from the mentions
stream, linked by the platform post id (a mention whose parent id names it)."""

import pytest

from tests.content.conftest import approved_variant, make_channel, soon
from tests.helpers import bearer
from tests.incidents.fixtures_early_warning import mention_row

pytestmark = pytest.mark.django_db


def test_replies_to_the_post_are_linked_by_parent_id(client_a, api_key_a, in_brand_a, ayu):
    from content.services import variant_confirm_published, variant_schedule

    make_channel(ayu)
    variant = approved_variant(ayu)
    variant_schedule(variant_id=variant.pk, actor=ayu, at=soon())
    variant_confirm_published(variant_id=variant.pk, actor=None, platform_post_id="post-77")
    rows = [
        mention_row(
            platform="x", parent_external_id="post-77", text="Mantap, kopinya enak sekali!", sentiment=0.8
        ),
        mention_row(
            platform="x", parent_external_id="post-77", text="Kecewa, pelayanan buruk", sentiment=-0.7
        ),
        mention_row(platform="x", parent_external_id="other-post", text="Lain", sentiment=0.1),
        mention_row(platform="instagram", parent_external_id="post-77", text="Beda platform", sentiment=0.9),
    ]
    intake = client_a.post("/api/v1/mentions/", rows, content_type="application/json", **bearer(api_key_a))
    assert intake.status_code == 200 and intake.json()["created"] == 4, intake.content
    url = f"/api/v1/content/variants/{variant.pk}/"
    client_a.post(
        f"{url}metrics/",
        {"measured_at": soon().isoformat(), "reach": 500, "likes": 40},
        content_type="application/json",
        **bearer(api_key_a),
    )
    body = client_a.get(f"{url}performance/", **bearer(api_key_a)).json()
    assert body["replies"] == 2 and body["metrics"]["reach"] == 500
    assert body["positive"] + body["negative"] <= 2


def test_an_unpublished_variant_has_no_replies(client_a, api_key_a, in_brand_a, ayu):
    variant = approved_variant(ayu)
    body = client_a.get(f"/api/v1/content/variants/{variant.pk}/performance/", **bearer(api_key_a)).json()
    assert body["replies"] == 0 and body["metrics"] is None


def test_slot_suggestions_rank_the_brands_own_hours(client_a, api_key_a, in_brand_a, ayu):
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from content.models import Variant, VariantMetric

    jakarta = ZoneInfo("Asia/Jakarta")
    rates = {9: [0.10, 0.12], 19: [0.30, 0.26], 13: [0.50]}  # 13:00 has one post only: not enough
    n = 0
    for hour, values in rates.items():
        for rate in values:
            variant = approved_variant(ayu, title=f"p{n}")
            at = datetime(2026, 11, 1 + n, hour, 0, tzinfo=jakarta)
            Variant.objects.filter(pk=variant.pk).update(
                status="published", published_at=at, platform_post_id=f"s{n}"
            )
            VariantMetric.objects.create(
                variant=variant, measured_at=at + timedelta(days=1), reach=1000, likes=int(rate * 1000)
            )
            n += 1
    body = client_a.get("/api/v1/content/slots/", **bearer(api_key_a)).json()
    assert [s["hour"] for s in body] == [19, 9]
    assert body[0]["engagement_rate"] == 0.28
    assert client_a.get("/api/v1/content/slots/?platform=myspace", **bearer(api_key_a)).status_code == 400


def test_the_reply_lookup_is_served_by_the_replies_index(in_brand_a):
    """Stored, indexed and tested: a post's replies are found through the partial index of others'
    replies by parent, not by scanning every mention of the platform."""
    from django.db import connection, transaction

    from incidents.models import Mention
    from incidents.selectors_early_warning import reply_sentiment_by_parent

    query = (
        Mention.objects.filter(platform="x", parent_external_id__in=["post-77"], is_own=False)
        .exclude(parent_external_id="")
        .values("parent_external_id")
        .order_by()  # grouped, as the selector's query is, so no ordering
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a near-empty table would be scanned anyway
        plan = query.explain()
    assert "mention_reply_parent" in plan, plan
    assert reply_sentiment_by_parent(platform="x", parent_ids=["post-77"]) == {}
