"""The calendar feed: an iCalendar file at a secret link, per brand, revocable; a wrong or
revoked link and another brand's host answer 404."""

import pytest
from django.utils import timezone
from icalendar import Calendar

from tests.content.conftest import approved_variant, make_channel, soon

pytestmark = pytest.mark.django_db


def _scheduled(ayu, title):
    from content.services import variant_schedule

    make_channel(ayu)
    variant = approved_variant(ayu, title=title)
    return variant_schedule(variant_id=variant.pk, actor=ayu, at=soon(), channel_id=None)


def test_the_feed_lists_the_calendar_at_its_secret_link(client_a, in_brand_a, ayu):
    from content.feeds import calendar_feed_rotate

    variant = _scheduled(ayu, "Tips kopi pagi")
    token = calendar_feed_rotate(actor=ayu)
    response = client_a.get(f"/feeds/content/{token}.ics")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["summary"]) == "[X] Tips kopi pagi (Scheduled)"
    assert abs((event.decoded("dtstart") - variant.scheduled_at).total_seconds()) < 1
    assert str(event["uid"]).startswith(str(variant.pk))


def test_a_new_link_revokes_the_old_and_revoke_ends_it(client_a, in_brand_a, ayu):
    from content.feeds import calendar_feed_revoke, calendar_feed_rotate

    old = calendar_feed_rotate(actor=ayu)
    new = calendar_feed_rotate(actor=ayu)
    assert client_a.get(f"/feeds/content/{old}.ics").status_code == 404
    assert client_a.get(f"/feeds/content/{new}.ics").status_code == 200
    calendar_feed_revoke(actor=ayu)
    assert client_a.get(f"/feeds/content/{new}.ics").status_code == 404
    assert client_a.get("/feeds/content/guess.ics").status_code == 404


def test_brand_a_feed_link_shows_nothing_on_brand_b(client_b, brand_a, ayu):
    from django_tenants.utils import tenant_context

    from content.feeds import calendar_feed_rotate

    with tenant_context(brand_a):
        _scheduled(ayu, "Secret launch")
        token = calendar_feed_rotate(actor=ayu)
    assert client_b.get(f"/feeds/content/{token}.ics").status_code == 404


def test_budi_cannot_make_a_feed_link(client_a, in_brand_a, budi, ayu):
    from django.core.exceptions import PermissionDenied

    from content.feeds import calendar_feed_rotate
    from content.models import ContentSettings

    with pytest.raises(PermissionDenied):
        calendar_feed_rotate(actor=budi)
    client_a.login_as(budi).post(
        "/admin/content/contentsettings/", {"action": "new_feed_link", "_selected_action": ["1"]}
    )
    assert not ContentSettings.objects.filter(feed_created_at__lte=timezone.now()).exists()


def test_admin_action_shows_the_link_once(client_a, in_brand_a, ayu):
    from content.services import content_settings_get

    content_settings_get()
    response = client_a.login_as(ayu).post(
        "/admin/content/contentsettings/", {"action": "new_feed_link", "_selected_action": ["1"]}, follow=True
    )
    html = response.content.decode()
    assert "/feeds/content/" in html
    link = html.split("/feeds/content/", 1)[1].split(".ics", 1)[0]
    assert client_a.get(f"/feeds/content/{link}.ics").status_code == 200
