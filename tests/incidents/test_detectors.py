"""Each detector fires on a built scenario and stays quiet on ordinary traffic."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import bearer
from tests.incidents.fixtures_early_warning import (  # noqa: F401 - fixtures
    detector_settings_fixture,
    mentions_build,
    mentions_create,
    normal_traffic,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


def _run(detect, settings, now):
    return detect(settings=settings, now=now)


# --- Negative spike ---------------------------------------------------------------------------
def test_negative_spike_fires_against_the_brands_own_baseline(detector_settings, now):
    from incidents.detectors import negative_spike_detect
    from incidents.models import Mention

    normal_traffic(now=now, days=7, negatives_per_hour=3)
    spike = mentions_create(40, at=now - timedelta(minutes=1), band="negative", spread=timedelta(minutes=45))
    most_reached = [m.pk for m in spike[10:15]]
    Mention.objects.filter(pk__in=most_reached).update(reach=500)
    [finding] = _run(negative_spike_detect, detector_settings, now)
    assert finding.condition_key == "negative_spike"
    assert finding.evidence["negative_count"] >= 40
    assert 2 <= finding.evidence["baseline_mean"] <= 5
    assert len(finding.evidence["baseline_days"]) == 7
    assert finding.severity <= 2  # SEV2 · High or worse (lower is worse)
    assert set(finding.evidence["example_mention_ids"]) <= {str(m.pk) for m in spike} | {
        str(m) for m in finding.evidence["example_mention_ids"]
    }
    assert len(finding.evidence["example_mention_ids"]) == 5
    # The examples are the window's most-reached negatives, not any five.
    assert set(finding.evidence["example_mention_ids"]) == {str(pk) for pk in most_reached}


def test_negative_spike_is_quiet_on_ordinary_traffic(detector_settings, now):
    from incidents.detectors import negative_spike_detect

    normal_traffic(now=now, days=7, negatives_per_hour=3)
    mentions_create(4, at=now - timedelta(minutes=1), band="negative")
    assert _run(negative_spike_detect, detector_settings, now) == []


def test_quiet_brand_does_not_alarm_on_two_comments(detector_settings, now):
    from incidents.detectors import negative_spike_detect

    mentions_create(2, at=now - timedelta(minutes=1), band="negative")
    assert _run(negative_spike_detect, detector_settings, now) == []


def test_a_daily_peak_at_this_hour_is_not_a_spike(detector_settings, now):
    """Seasonality: the same hour on earlier days is the baseline, not the daily average."""
    from incidents.detectors import negative_spike_detect
    from incidents.models import Mention

    rows = []
    for day in range(1, 8):
        rows += mentions_build(30, at=now - timedelta(days=day, minutes=1), band="negative", answered=True)
    Mention.objects.bulk_create(rows)
    mentions_create(35, at=now - timedelta(minutes=1), band="negative")
    assert _run(negative_spike_detect, detector_settings, now) == []


# --- Rumour -----------------------------------------------------------------------------------
RUMOUR = "katanya kopi nusantara pakai biji kopi basi dari gudang bekas banjir, jangan beli lagi {}"


def test_rumour_fires_when_one_claim_spreads_across_many_authors(detector_settings, now):
    from incidents.detectors import rumour_detect
    from incidents.models import Mention

    rows = []
    for i in range(8):
        rows += mentions_build(
            1,
            at=now - timedelta(minutes=10 * i),
            text=RUMOUR.format(["!!", "guys", "", "parah"][i % 4]),
            author=f"spreader{i}",
        )
    rows += mentions_build(10, at=now, text="pelayanan lambat sekali {n} hari ini", band="negative")
    Mention.objects.bulk_create(rows)
    [finding] = _run(rumour_detect, detector_settings, now)
    assert finding.detector == "rumour"
    assert finding.condition_key.startswith("rumour:")
    assert finding.evidence["author_count"] == 8
    assert finding.evidence["first_seen"] == (now - timedelta(minutes=70)).isoformat()
    assert len(finding.evidence["example_mention_ids"]) == 5
    assert "gudang bekas banjir" in finding.evidence["representative"]


def test_rumour_is_quiet_when_one_author_repeats_or_texts_differ(detector_settings, now):
    from incidents.detectors import rumour_detect

    mentions_create(8, at=now, text=RUMOUR.format(""), author="onebot")
    mentions_create(20, at=now, text="keluhan nomor {n} tentang hal yang berbeda sama sekali")
    assert _run(rumour_detect, detector_settings, now) == []


def test_rumour_alert_keeps_its_key_when_the_earliest_post_leaves_the_window(detector_settings, now):
    from incidents.detectors import rumour_detect
    from incidents.services.alerts import alert_raise_or_update

    for i in range(8):
        mentions_create(
            1,
            at=now - timedelta(hours=5, minutes=50) + timedelta(minutes=20 * i),
            text=RUMOUR.format(i),
            author=f"s{i}",
        )
    [first] = _run(rumour_detect, detector_settings, now)
    alert, outcome = alert_raise_or_update(finding=first, now=now)
    later = now + timedelta(minutes=30)  # the earliest post is now outside the 6-hour window
    mentions_create(1, at=later, text=RUMOUR.format("baru"), author="late")
    [second] = _run(rumour_detect, detector_settings, later)
    assert second.condition_key == alert.condition_key


# --- Follower drop ----------------------------------------------------------------------------
def _samples(now, values, *, platform="instagram", step=timedelta(hours=6)):
    from incidents.models import MetricSample

    MetricSample.objects.bulk_create(
        MetricSample(platform=platform, measured_at=now - step * (len(values) - 1 - i), followers=v)
        for i, v in enumerate(values)
    )


def test_follower_drop_fires_against_the_trend(detector_settings, now):
    from incidents.detectors import follower_drop_detect

    growing = [50_000 + 100 * i for i in range(28)]  # a week of steady growth every 6 hours
    _samples(now, [*growing, 47_000])
    [finding] = _run(follower_drop_detect, detector_settings, now)
    assert finding.condition_key == "follower_drop:instagram"
    assert finding.evidence["drop_percent"] > 7
    assert finding.evidence["expected_followers"] > 52_000


def test_follower_drop_is_quiet_on_normal_wobble(detector_settings, now):
    from incidents.detectors import follower_drop_detect

    _samples(now, [50_000 + 100 * i + (-80 if i % 2 else 60) for i in range(29)])
    _samples(now, [1_000, 990, 985], platform="tiktok")  # 1.5%, under the percentage threshold
    assert _run(follower_drop_detect, detector_settings, now) == []


# --- Unanswered complaints --------------------------------------------------------------------
def test_unanswered_complaints_fire_past_the_response_target(detector_settings, now):
    from incidents.detectors import unanswered_complaints_detect

    waiting = mentions_create(6, at=now - timedelta(hours=2), band="neutral", complaint=True)
    mentions_create(10, at=now - timedelta(hours=2), band="negative", answered=True)
    [finding] = _run(unanswered_complaints_detect, detector_settings, now)
    assert finding.evidence["count"] == 6
    assert set(finding.evidence["example_mention_ids"]) <= {str(m.pk) for m in waiting}
    assert finding.evidence["oldest_waited_minutes"] >= 120


def test_unanswered_is_quiet_when_answered_or_still_within_target(detector_settings, now):
    from incidents.detectors import unanswered_complaints_detect

    mentions_create(10, at=now - timedelta(hours=2), band="negative", answered=True)
    mentions_create(10, at=now - timedelta(minutes=5), band="negative", spread=timedelta(minutes=20))
    assert _run(unanswered_complaints_detect, detector_settings, now) == []


def test_thresholds_come_from_the_brands_settings(detector_settings, now):
    from incidents.detectors import unanswered_complaints_detect

    mentions_create(3, at=now - timedelta(hours=2), band="negative")
    assert _run(unanswered_complaints_detect, detector_settings, now) == []
    detector_settings.unanswered_min_count = 3
    assert len(_run(unanswered_complaints_detect, detector_settings, now)) == 1


def test_settings_api_reads_defaults_and_staff_change_them(client_a, ayu, budi, api_key_a, in_brand_a):
    from incidents.models import DetectorSettings

    assert client_a.get("/api/v1/detector-settings/", **bearer(api_key_a)).json()["spike_min_count"] == 20
    viewer = client_a.__class__(client_a.host).login_as(budi)
    patch = {"spike_min_count": 50, "brand_handles": "@kopinusantara"}
    assert (
        viewer.patch("/api/v1/detector-settings/", patch, content_type="application/json").status_code == 403
    )
    assert (
        client_a.patch(
            "/api/v1/detector-settings/", patch, content_type="application/json", **bearer(api_key_a)
        )
    ).status_code == 403  # thresholds are the agency's call, not an integration's
    staff = client_a.login_as(ayu)
    response = staff.patch("/api/v1/detector-settings/", patch, content_type="application/json")
    assert response.status_code == 200
    assert DetectorSettings.objects.get().spike_min_count == 50
    bad = staff.patch("/api/v1/detector-settings/", {"rumour_similarity": 5}, content_type="application/json")
    assert bad.status_code == 400
