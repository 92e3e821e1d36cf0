"""The periodic sweep's shortcut for an idle brand (incidents.detectors.detectors_quiet): one
query says nothing can be found, and it must never say so when a detector would find something
or a live sweep alert would end."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.incidents.fixtures_early_warning import mentions_build

pytestmark = pytest.mark.django_db


def _quiet(now=None) -> bool:
    from incidents.detectors import detectors_quiet
    from incidents.selectors_early_warning import detector_settings_get

    return detectors_quiet(settings=detector_settings_get(), now=now or timezone.now())


def _findings(now) -> list:
    from incidents.detectors import detectors_run

    return detectors_run(now=now)


def test_an_idle_brand_is_swept_with_one_query_after_its_settings(in_brand_a):
    # Old, answered history only: nothing any detector's window reaches.
    from incidents.models import Mention
    from incidents.services.alerts import detectors_sweep
    from incidents.services.intake import mentions_score_pending

    Mention.objects.bulk_create(mentions_build(5, at=timezone.now() - timedelta(days=60), answered=True))
    assert _quiet()
    with CaptureQueriesContext(connection) as queries:
        assert detectors_sweep() == []
        assert mentions_score_pending() == 0
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SET search_path")]
    assert len(statements) == 3, statements  # the settings, the quiet check, the unscored look


@pytest.mark.parametrize(
    "case",
    ["spike", "unanswered_at_the_lookback_edge", "rumour", "follower_drop", "live_alert_to_resolve"],
)
def test_never_quiet_when_the_full_sweep_would_act(in_brand_a, case):
    from incidents.models import Alert, Mention, MetricSample
    from incidents.selectors_early_warning import detector_settings_get
    from incidents.services.alerts import detectors_sweep

    settings = detector_settings_get()
    now = timezone.now()
    if case == "spike":
        Mention.objects.bulk_create(
            mentions_build(settings.spike_min_count + 5, at=now, spread=timedelta(minutes=5))
        )
    elif case == "unanswered_at_the_lookback_edge":
        # Just inside the lookback and long past the response target: only the unanswered
        # detector's window reaches it.
        edge = now - timedelta(hours=settings.unanswered_lookback_hours) + timedelta(minutes=10)
        Mention.objects.bulk_create(
            mentions_build(
                settings.unanswered_min_count + 1, at=edge, complaint=True, spread=timedelta(minutes=5)
            )
        )
    elif case == "rumour":
        Mention.objects.bulk_create(
            mentions_build(
                settings.rumour_min_authors + 2,
                at=now - timedelta(minutes=30),
                text="katanya kopi ini pakai biji basi dari gudang lama, hati-hati ya {n}",
                spread=timedelta(hours=1),
            )
        )
    elif case == "follower_drop":
        for hours, followers in [(120, 10000), (96, 10010), (72, 10020), (48, 10030), (1, 8000)]:
            MetricSample.objects.create(
                platform="instagram", measured_at=now - timedelta(hours=hours), followers=followers
            )
    else:
        Alert.objects.create(
            detector=Alert.Detector.NEGATIVE_SPIKE,
            condition_key="negative_spike",
            severity=3,
            title="An earlier spike",
            window_start=now - timedelta(hours=2),
            window_end=now - timedelta(hours=1),
            last_seen_at=now - timedelta(hours=1),
        )
    assert not _quiet(now)
    if case == "live_alert_to_resolve":
        detectors_sweep(now=now)
        assert Alert.objects.get().state == Alert.State.RESOLVED  # the ended condition still resolves
    else:
        assert _findings(now), case  # the fixture really is something a detector finds
