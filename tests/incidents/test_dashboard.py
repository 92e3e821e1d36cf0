"""The brand's home is a dashboard: open incidents by severity with their next deadline and a link
into each war room, new alerts, complaints waiting against the target, and seven days of mentions
by sentiment; a fixed number of queries, staff only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.services.incidents import incident_open
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_mention
from tests.incidents.fixtures_early_warning import mentions_create

pytestmark = pytest.mark.django_db


def _alert(title="Lonjakan negatif"):
    from incidents.models import Alert

    now = timezone.now()
    return Alert.objects.create(
        detector="negative_spike",
        condition_key=f"s:{now.timestamp()}",
        severity=2,  # SEV2 · High
        title=title,
        window_start=now - timedelta(hours=1),
        window_end=now,
        last_seen_at=now,
    )


def _world(ayu, ayu_member, count: int):
    from incidents.services.team import task_create

    for n in range(count):
        incident = incident_open(actor=ayu, title=f"Krisis {n}", severity=1 + n % 4)
        task_create(
            incident_id=incident.pk,
            actor=ayu,
            title="Cek",
            owner_id=ayu_member.pk,
            due_at=timezone.now() + timedelta(minutes=30 + n),
        )
        _alert(f"Peringatan {n}")
        mentions_create(
            3, at=timezone.now() - timedelta(days=n % 7, hours=2), band="negative", complaint=True
        )
        mentions_create(2, at=timezone.now() - timedelta(days=n % 7), band="positive", answered=True)


def test_dashboard_shows_the_crisis_at_a_glance(in_brand_a, ayu, ayu_member, client_a):
    from incidents.selectors_dashboard import brand_dashboard_get

    _world(ayu, ayu_member, 3)
    incident_open(actor=ayu, title="[DRILL] latihan", severity=1, is_drill=True)
    make_mention(text="Kopinya basi", is_complaint=True, posted_at=timezone.now() - timedelta(minutes=5))
    data = brand_dashboard_get()
    assert [i.severity for i in data["incidents"]] == [1, 2, 3]  # most severe first, no drills
    first = data["incidents"][0]
    assert first.deadline_kind == "task" and first.next_deadline < first.status_update_due_at
    assert data["new_alert_count"] == 3
    assert data["waiting"]["overdue"] == 9 and data["waiting"]["within"] == 1
    assert len(data["days"]) == 7 and data["days"][-1]["day"] == timezone.localdate()
    assert sum(d["total"] for d in data["days"]) == 3 * 5 + 1
    assert sum(d["negative"] for d in data["days"]) == 9

    client_a.login_as(ayu)
    page = client_a.get("/admin/").content.decode()
    assert 'id="brand-dashboard"' in page
    assert f"/admin/incidents/incident/{first.pk}/war-room/" in page
    assert "[DRILL]" not in page


def test_dashboard_queries_do_not_grow_with_the_data(
    in_brand_a, ayu, ayu_member, django_assert_max_num_queries
):
    from incidents.selectors_dashboard import brand_dashboard_get

    _world(ayu, ayu_member, 2)
    with django_assert_max_num_queries(6):
        brand_dashboard_get()
    _world(ayu, ayu_member, 12)
    with django_assert_max_num_queries(6):
        data = brand_dashboard_get()
    assert len(data["incidents"]) == 14


def test_the_weeks_chart_reads_the_hourly_rollups_not_the_mentions(in_brand_a, ayu, ayu_member):
    """A busy brand's week is hundreds of thousands of mentions: the chart sums the hourly rollups
    (kept by the database at intake and scoring), and counts the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from incidents.selectors_dashboard import dashboard_mention_days

    _world(ayu, ayu_member, 2)
    make_mention(text="Own post", is_own=True, posted_at=timezone.now() - timedelta(hours=1))
    with CaptureQueriesContext(connection) as queries:
        days = dashboard_mention_days()
    (sql,) = [q["sql"] for q in queries.captured_queries]
    assert "incidents_mentionhourly" in sql and 'incidents_mention"' not in sql
    assert sum(d["total"] for d in days) == 2 * 5  # the brand's own post is not a mention of it
    assert sum(d["negative"] for d in days) == 2 * 3


def test_dashboard_renders_in_indonesian_in_the_brand_zone(in_brand_a, ayu, ayu_member, client_a):
    _world(ayu, ayu_member, 1)
    client_a.login_as(ayu)
    page = client_a.get("/admin/", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Insiden terbuka" in page and "Keluhan yang belum dijawab" in page
    assert "WIB" in page  # deadlines say their zone (Asia/Jakarta)


def test_clients_and_other_brands_never_see_it(in_brand_a, ayu, ayu_member, budi, citra, client_a):
    _world(ayu, ayu_member, 1)
    client_a.login_as(budi)
    response = client_a.get("/admin/")
    assert response.status_code == 302 and "reports" in response["Location"]
    client_a.login_as(citra)
    response = client_a.get("/admin/")
    assert b"brand-dashboard" not in response.content
