"""The report's figures equal the values computed by hand on a small world (tests/reports/fixtures.py),
days cut at the brand's midnight (Asia/Jakarta), drills and the brand's own posts never counted."""

from datetime import date

import pytest

from tests.reports.fixtures import report_world_fixture  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


def _summary():
    from reports.periods import period_resolve
    from reports.selectors import report_summary
    from tests.reports.fixtures import wib

    period = period_resolve(tz="Asia/Jakarta", key="custom", start=date(2026, 3, 1), end=date(2026, 3, 2))
    return report_summary(
        start=period.start, end=period.end, key=period.key, label=period.label, now=wib(20, 0)
    )


def test_mentions_complaints_and_followers_match_the_hand_count(report_world):
    summary = _summary()
    assert summary["period"]["start"] == "2026-03-01T00:00:00+07:00"
    assert summary["period"]["previous_start"] == "2026-02-27T00:00:00+07:00"
    mentions = summary["mentions"]
    assert (mentions["total"], mentions["negative"], mentions["positive"]) == (3, 2, 1)
    assert mentions["negative_share"] == 0.6667
    assert mentions["previous"] == {"total": 1, "negative": 1, "negative_share": 1.0, "complaints": 1}
    assert [(p["platform"], p["total"], p["negative"]) for p in mentions["by_platform"]] == [
        ("instagram", 2, 2),
        ("x", 1, 0),
    ]
    assert [(p["at"], p["total"], p["negative"], p["positive"]) for p in summary["series"]["points"]] == [
        ("2026-03-01T00:00:00+07:00", 2, 2, 0),
        ("2026-03-02T00:00:00+07:00", 1, 0, 1),
    ]
    complaints = summary["complaints"]
    assert (complaints["total"], complaints["answered"], complaints["unanswered"]) == (2, 2, 0)
    assert (complaints["answered_within_target"], complaints["share_within_target"]) == (1, 0.5)
    assert complaints["target_minutes"] == 60
    assert summary["followers"] == [{"platform": "instagram", "start": 1000, "end": 1100, "change": 100}]


def test_incident_response_and_moderation_figures_match_the_hand_count(report_world):
    summary = _summary()
    incidents = summary["incidents"]
    assert (incidents["count"], incidents["previous_count"]) == (2, 1)
    assert [(r["severity"], r["count"]) for r in incidents["by_severity"]] == [(1, 1), (2, 1), (3, 0), (4, 0)]
    assert {r["category"]: r["count"] for r in incidents["by_category"]} == {
        "misinformation": 1,
        "product_defect": 1,
    }
    assert incidents["first_response"] == {"median_s": 9000, "p90_s": 10440, "measured": 2}
    assert incidents["resolve"] == {"median_s": 198000, "p90_s": 327600, "measured": 2}
    missed = {r["number"]: (r["missed_first_response"], r["missed_resolve"]) for r in incidents["missed"]}
    assert missed == {901: (False, True), 902: (True, False)}
    responses = summary["responses"]
    assert (responses["sent"], responses["approval_median_s"], responses["approval_p90_s"]) == (2, 1200, 1680)
    assert summary["moderation"] == [
        {
            "rule": "1. Hormati sesama",
            "rule_number": 1,
            "guideline_version": 900,
            "action": "hide",
            "action_label": "Hide",
            "count": 2,
            "reasons": ["Kata kasar"],
        }
    ]


def test_hourly_series_cuts_hours_in_the_brand_zone(report_world):
    from reports.selectors import report_timeseries
    from tests.reports.fixtures import wib

    series = report_timeseries(metric="negative", interval="hour", start=wib(1, 0), end=wib(1, 12))
    assert len(series["points"]) == 12
    assert {p["at"]: p["value"] for p in series["points"] if p["value"]} == {
        "2026-03-01T00:00:00+07:00": 1,
        "2026-03-01T10:00:00+07:00": 1,
    }
