"""Every link a crisis notification carries, in the app and in its email, is absolute on the
brand's host and opens the page for the person it was sent to."""

import re
from urllib.parse import urlsplit

import pytest

from tests.conftest import BrandClient
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db


def _follow(link: str, user, brand):
    """GET the link as `user`, on the host and scheme the link names."""
    parts = urlsplit(link)
    assert parts.scheme in ("http", "https") and parts.hostname == brand.primary_host, link
    client = BrandClient(parts.netloc).login_as(user)
    return client.get(parts.path, secure=parts.scheme == "https")


def test_assignment_email_link_opens_the_war_room_for_the_assignee(
    crisis_incident, ayu, ayu_member, brand_a, mailoutbox, django_capture_on_commit_callbacks
):
    from incidents.models import Notification
    from incidents.services.notifications import notification_email_send
    from incidents.services.team import assignment_add

    with django_capture_on_commit_callbacks():  # the email is sent below, as its task would
        assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=ayu_member.pk)
    notification = Notification.objects.get(user_id=ayu.pk)
    assert notification_email_send(notification_id=notification.pk)

    (email,) = mailoutbox
    links = re.findall(r"https?://\S+", email.body)
    assert links == [notification.link]
    assert links[0].endswith(f"/admin/incidents/incident/{crisis_incident.pk}/war-room/")
    response = _follow(links[0], ayu, brand_a)
    assert response.status_code == 200
    assert crisis_incident.title in response.content.decode()


def test_a_link_given_as_a_path_is_stored_absolute(in_brand_a, ayu, brand_a):
    from incidents.models import Notification
    from incidents.services.notifications import notify

    notify(subject="s", body="b", link="/reports/incidents/", users=[ayu])
    assert Notification.objects.get().link == brand_a.url("/reports/incidents/")
    assert urlsplit(brand_a.url("/x/")).hostname == brand_a.primary_host
