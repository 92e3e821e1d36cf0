"""Evergreen repeats: anchored to the first publication, every N days, until a date or a count;
at least a week apart; one evergreen post per platform per day; after downtime or a late
confirmation the missed occurrences are skipped, never published in a burst."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.errors import DomainError
from tests.content.conftest import approved_variant, make_channel
from tests.helpers import bearer

pytestmark = pytest.mark.django_db


def _evergreen(ayu, channel, **kwargs):
    from content.services import variant_schedule

    variant = approved_variant(ayu, evergreen=True, **kwargs)
    variant_schedule(
        variant_id=variant.pk, actor=ayu, at=timezone.now() + timedelta(minutes=5), channel_id=channel.pk
    )
    return variant


def _publish(variant, post_id, *, published_at=None):
    from content.models import Variant
    from content.services import variant_confirm_published

    done = variant_confirm_published(variant_id=variant.pk, actor=None, platform_post_id=post_id)
    if published_at is not None and done.repeat_anchor == done.published_at:
        Variant.objects.filter(pk=variant.pk).update(repeat_anchor=published_at)
    return Variant.objects.get(pk=variant.pk)


def test_repeat_needs_an_evergreen_item_and_a_week_between(in_brand_a, ayu):
    from content.services import variant_evergreen_set

    make_channel(ayu)
    plain = approved_variant(ayu)
    with pytest.raises(DomainError, match="evergreen"):
        variant_evergreen_set(variant_id=plain.pk, actor=ayu, interval_days=14)
    variant = approved_variant(ayu, evergreen=True, title="Evergreen")
    with pytest.raises(DomainError, match="once every 7 days"):
        variant_evergreen_set(variant_id=variant.pk, actor=ayu, interval_days=1)
    with pytest.raises(DomainError, match="not both"):
        variant_evergreen_set(
            variant_id=variant.pk, actor=ayu, interval_days=7, count=3, until=timezone.now()
        )


def test_after_publication_the_next_repeat_is_anchored_to_the_first(in_brand_a, ayu):
    from content.services import variant_evergreen_set

    variant = _evergreen(ayu, make_channel(ayu))
    variant_evergreen_set(variant_id=variant.pk, actor=ayu, interval_days=7, count=3)
    first = _publish(variant, "p1")
    assert first.status == "scheduled" and first.publications == 1
    assert first.scheduled_at == first.repeat_anchor + timedelta(days=7)
    assert first.item.history.filter(action="repeat_next").count() == 1


def test_a_repeated_confirmation_of_the_last_occurrence_is_not_the_next(in_brand_a, ayu):
    from content.services import variant_evergreen_set

    variant = _evergreen(ayu, make_channel(ayu))
    variant_evergreen_set(variant_id=variant.pk, actor=ayu, interval_days=7)
    _publish(variant, "p1")
    again = _publish(variant, "p1")  # the integration retried its confirmation
    assert again.status == "scheduled" and again.publications == 1


def test_count_ends_the_repeats(in_brand_a, ayu):
    from content.models import Variant
    from content.services import variant_evergreen_set

    variant = _evergreen(ayu, make_channel(ayu))
    variant_evergreen_set(variant_id=variant.pk, actor=ayu, interval_days=7, count=2)
    _publish(variant, "p1")
    Variant.objects.filter(pk=variant.pk).update(status="publishing")
    last = _publish(variant, "p2")
    assert last.status == "published" and last.publications == 2


def test_after_downtime_missed_repeats_are_skipped_not_burst(in_brand_a, ayu):
    from content.models import Variant
    from content.services import variant_evergreen_set
    from content.services.evergreen import evergreen_next

    variant = _evergreen(ayu, make_channel(ayu))
    variant_evergreen_set(variant_id=variant.pk, actor=ayu, interval_days=7)
    published = _publish(variant, "p1")
    anchor = published.repeat_anchor
    # The worker was down for 40 days: five occurrences were missed.
    later = anchor + timedelta(days=40)
    nxt = evergreen_next(Variant.objects.get(pk=variant.pk), now=later)
    assert nxt == anchor + timedelta(days=42)  # only the next one after now, once
    # And one scheduled row means at most one publication for everything missed.
    from content.services import publish_due_claim

    Variant.objects.filter(pk=variant.pk).update(scheduled_at=anchor + timedelta(days=7))
    assert len(publish_due_claim(now=later)) == 1
    assert publish_due_claim(now=later) == []


def test_the_count_is_of_publications_a_skipped_occurrence_does_not_use_one_up(in_brand_a, ayu):
    from content.models import Variant
    from content.services import variant_evergreen_set
    from content.services.evergreen import evergreen_next

    variant = _evergreen(ayu, make_channel(ayu))
    variant_evergreen_set(variant_id=variant.pk, actor=ayu, interval_days=7, count=3)
    anchor = _publish(variant, "p1").repeat_anchor
    # Down for 20 days: the occurrences at 7 and 14 days were skipped; two publications remain.
    nxt = evergreen_next(Variant.objects.get(pk=variant.pk), now=anchor + timedelta(days=20))
    assert nxt == anchor + timedelta(days=21)


def test_one_evergreen_post_per_platform_per_day(in_brand_a, ayu):
    from content.models import Variant
    from content.services import variant_evergreen_set

    channel = make_channel(ayu)
    variant = _evergreen(ayu, channel)
    variant_evergreen_set(variant_id=variant.pk, actor=ayu, interval_days=7)
    other = _evergreen(ayu, channel, title="Other evergreen")
    published = _publish(variant, "p1")
    # Put the other evergreen post on the day the repeat would fall on.
    Variant.objects.filter(pk=other.pk).update(scheduled_at=published.scheduled_at)
    Variant.objects.filter(pk=variant.pk).update(status="publishing")
    again = _publish(variant, "p2")
    assert again.scheduled_at == again.repeat_anchor + timedelta(days=14)


def test_repeat_through_the_api(client_a, api_key_a, in_brand_a, ayu):
    variant = _evergreen(ayu, make_channel(ayu))
    url = f"/api/v1/content/variants/{variant.pk}/repeat/"
    ok = client_a.post(
        url, {"interval_days": 14, "count": 4}, content_type="application/json", **bearer(api_key_a)
    )
    assert ok.status_code == 200 and ok.json()["repeat_interval_days"] == 14
    bad = client_a.post(url, {"interval_days": 2}, content_type="application/json", **bearer(api_key_a))
    assert bad.status_code == 400
