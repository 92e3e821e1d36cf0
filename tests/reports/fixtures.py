"""A small report world in brand A (Asia/Jakarta, UTC+7) whose figures are computed by hand in
the tests: 1–2 March 2026 is the period, 27–28 February the previous one.

Mentions (own posts and drills never count):
  m1 instagram negative complaint 1 Mar 00:30 WIB, answered after 30 min (within the 60-min target)
  m2 instagram negative 1 Mar 10:00 WIB, answered after 3 h (outside the target)
  m3 x positive 2 Mar 23:30 WIB
  m4 instagram negative 28 Feb 23:30 WIB: the previous period, though the same UTC date as m1
  m5 the brand's own post in the period; m6 neutral 3 Mar 00:10 WIB, after the period
Incidents: I1 high opened 1 Mar 01:00, first response +2 h (target 4 h), resolved +100 h (target
72 h: missed); I2 critical opened 1 Mar 12:00, first response +3 h (target 1 h: missed), resolved
+10 h; a drill in the period; I4 in the previous period.
Responses sent: a reply approved 600 s after its draft, a statement approved 1800 s after; one on
the drill. Moderation: two hides under rule 1 with the same reason; one on the drill.
Followers: instagram 1000 on 28 Feb 20:00 WIB, 1100 on 2 Mar 20:00 WIB."""

import zoneinfo
from datetime import datetime, timedelta
from unittest import mock

import pytest

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


def wib(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


def _at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def report_world_build(ayu) -> dict:
    from incidents.models import (
        GuidelineRule,
        GuidelineVersion,
        Incident,
        Mention,
        MetricSample,
        ModerationAction,
        Response,
    )

    def mention(ext, platform, band, posted, answered=None, complaint=False, own=False):
        return Mention(
            platform=platform, external_id=ext, kind="comment", author_handle=f"@{ext}", text=f"=cmd|{ext}",
            posted_at=posted, sentiment_band=band, is_complaint=complaint, is_own=own, answered_at=answered,
            scored_at=posted,
        )  # fmt: skip

    m1, m2 = (
        mention("m1", "instagram", "negative", wib(1, 0, 30), wib(1, 1, 0), complaint=True),
        mention("m2", "instagram", "negative", wib(1, 10), wib(1, 13)),
    )
    Mention.objects.bulk_create(
        [
            m1,
            m2,
            mention("m3", "x", "positive", wib(2, 23, 30)),
            mention("m4", "instagram", "negative", wib(28, 23, 30, month=2)),
            mention("m5", "instagram", "positive", wib(1, 9), own=True),
            mention("m6", "x", "neutral", wib(3, 0, 10)),
        ]
    )
    MetricSample.objects.bulk_create(
        [
            MetricSample(platform="instagram", measured_at=wib(28, 20, month=2), followers=1000),
            MetricSample(platform="instagram", measured_at=wib(2, 20), followers=1100),
        ]
    )

    def incident(number, severity, opened, first_response_h=None, resolved_h=None, drill=False, title=None):
        with _at(opened):
            return Incident.objects.create(
                number=number,
                title=title or f"Incident {number}",
                severity=severity,
                source_category="product_defect" if severity == 2 else "misinformation",
                is_drill=drill,
                first_response_at=opened + timedelta(hours=first_response_h) if first_response_h else None,
                resolved_at=opened + timedelta(hours=resolved_h) if resolved_h else None,
                status="resolved" if resolved_h else "responding",
            )

    i1 = incident(901, 2, wib(1, 1), 2, 100, title="Kopi basi")
    i2 = incident(902, 1, wib(1, 12), 3, 10)
    drill = incident(903, 1, wib(1, 14), 9, 90, drill=True, title="[DRILL] latihan")
    incident(904, 3, wib(28, 12, month=2), 1, 2)

    def response(kind, created, approval_s, incident=None, mention=None, client=False):
        with _at(created):
            r = Response.objects.create(
                kind=kind, language="id", text="Mohon maaf", incident=incident, mention=mention, state="sent",
                requires_approval=not client, requires_client_approval=client,
                approved_at=created + timedelta(seconds=approval_s), sent_at=created + timedelta(seconds=approval_s + 60),
            )  # fmt: skip
        return r

    response("reply", wib(1, 0, 40), 600, mention=m1)
    response("statement", wib(1, 3), 1800, incident=i1, client=True)
    response("statement", wib(1, 15), 99, incident=drill)

    with _at(wib(1, 0)):
        version = GuidelineVersion.objects.create(version=900, intro="")
        rule = GuidelineRule.objects.create(version=version, number=1, title="Hormati sesama")
    for moment, inc in ((wib(1, 2), i1), (wib(1, 4), None), (wib(1, 15), drill)):
        with _at(moment):
            ModerationAction.objects.create(
                mention=m2, incident=inc, action="hide", rule=rule, reason="Kata kasar", platform="instagram"
            )
    return {"i1": i1, "i2": i2, "drill": drill}


@pytest.fixture(name="report_world")
def report_world_fixture(in_brand_a, ayu):
    return report_world_build(ayu)
