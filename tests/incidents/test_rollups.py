"""The hourly rollups kept by the database: after intake, scoring, rescoring, answering, a late
mention, a deletion and follower samples they hold exactly what the raw rows say; cloned brands get
the triggers; the rebuild command gives the same rows again."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.incidents.fixtures_early_warning import mention_row

pytestmark = pytest.mark.django_db


def _assert_rollup_matches_raw():
    from incidents.rollups import mention_hourly_from_raw, mention_hourly_from_rollup

    raw = {k: v for k, v in mention_hourly_from_raw().items() if any(v.values())}
    assert mention_hourly_from_rollup() == raw
    return raw


def test_rollups_follow_intake_scoring_rescoring_answering_and_late_mentions(in_brand_a, monkeypatch):
    from incidents.models import DetectorSettings, Mention, MentionHourly
    from incidents.services.intake import mention_mark_answered, mentions_ingest, mentions_score_batch

    DetectorSettings.objects.update_or_create(pk=1, defaults={"brand_handles": "@kopinusantara"})
    monkeypatch.setattr("incidents.services.intake.transaction.on_commit", lambda fn, **kw: None)
    now = timezone.now()
    rows = [
        mention_row(text="Kopinya basi, saya kecewa sekali, minta refund", external_id="r-1"),
        mention_row(text="Pelayanan ramah, kopinya enak", external_id="r-2"),
        mention_row(text="Jam buka hari ini?", external_id="r-3", platform="x"),
        # The brand's own reply answers r-1 and is never counted.
        mention_row(
            author_handle="@kopinusantara", parent_external_id="r-1", external_id="own-1", text="Mohon maaf"
        ),
    ]
    mentions_ingest(rows=rows, now=now)
    assert MentionHourly.objects.exclude(total=0).exists()
    _assert_rollup_matches_raw()  # unscored: counted in total only

    while mentions_score_batch(limit=500):
        pass
    raw = _assert_rollup_matches_raw()
    assert sum(cell["negative"] for cell in raw.values()) >= 1
    assert sum(cell["complaints_answered"] for cell in raw.values()) >= 1

    # A resend with an edited text is scored again; one with the same text writes nothing counted.
    mentions_ingest(rows=[{**rows[1], "text": "Kopinya basi, kecewa"}, rows[2]], now=now)
    while mentions_score_batch(limit=500):
        pass
    _assert_rollup_matches_raw()

    mention_mark_answered(mention_id=Mention.objects.get(external_id="r-3").pk)
    late = mention_row(
        text="Dua minggu lalu pesanan saya tidak datang, kecewa",
        posted_at=(now - timedelta(days=20)).isoformat(),
    )
    mentions_ingest(rows=[late], now=now)
    while mentions_score_batch(limit=500):
        pass
    raw = _assert_rollup_matches_raw()
    assert any(hour < now - timedelta(days=19) for hour, _ in raw)

    Mention.objects.filter(external_id="r-2").delete()
    _assert_rollup_matches_raw()

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending deferred checks
        cursor.execute("TRUNCATE incidents_mention CASCADE")
    assert not MentionHourly.objects.exists()


def test_follower_rollup_keeps_the_last_sample_of_each_hour(in_brand_a):
    from incidents.models import FollowerHourly, MetricSample
    from incidents.services.intake import metrics_ingest

    hour = timezone.now().replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    metrics_ingest(
        rows=[
            {
                "platform": "instagram",
                "measured_at": (hour + timedelta(minutes=10)).isoformat(),
                "followers": 100,
            },
            {
                "platform": "instagram",
                "measured_at": (hour + timedelta(minutes=50)).isoformat(),
                "followers": 90,
            },
        ]
    )
    assert FollowerHourly.objects.get(hour=hour, platform="instagram").followers == 90
    MetricSample.objects.filter(followers=90).delete()
    assert FollowerHourly.objects.get(hour=hour, platform="instagram").followers == 100


def test_a_brand_cloned_from_the_template_keeps_its_rollup(in_brand_a):
    from django.conf import settings

    from tenants.cloning import clone_schema

    clone_schema(source=settings.TENANT_BASE_SCHEMA, target="rollup_clone_check")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO rollup_clone_check.incidents_mention (id, platform, external_id, kind, author_handle, "
            "author_name, text, url, posted_at, parent_external_id, reach, engagement, source_language, "
            "language, sentiment_band, is_abuse, is_threat, is_complaint, is_question, is_own, received_at, "
            "updated_at) VALUES (gen_random_uuid(), 'x', '1', 'comment', 'a', '', '', '', now(), '', 0, 0, '', "
            "'', 'negative', false, false, false, false, false, now(), now())"
        )
        cursor.execute("SELECT total, negative, complaints FROM rollup_clone_check.incidents_mentionhourly")
        assert cursor.fetchall() == [(1, 1, 1)]
        cursor.execute("SELECT count(*) FROM incidents_mentionhourly WHERE platform = 'x' AND total > 0")
        before = cursor.fetchone()[0]
    assert before == 0  # brand A's rollup is untouched: the trigger writes to its own schema


def test_rebuild_command_gives_the_same_rows_again(in_brand_a, brand_a):
    from tests.incidents.fixtures_early_warning import mentions_create

    mentions_create(5, at=timezone.now())
    before = _assert_rollup_matches_raw()
    call_command("rollups_rebuild", brand=brand_a.slug, stdout=open("/dev/null", "w"))  # noqa: SIM115
    connection.set_tenant(brand_a)
    call_command("rollups_rebuild", brand=brand_a.slug, stdout=open("/dev/null", "w"))  # noqa: SIM115
    connection.set_tenant(brand_a)
    assert _assert_rollup_matches_raw() == before
