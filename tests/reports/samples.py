"""A hand-built report summary in the shape of reports.selectors' contract, with figures a test
can look for in the PDF: 30 days of mentions, incidents of three severities, satisfaction."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")
START = datetime(2026, 11, 1, tzinfo=JAKARTA)
END = datetime(2026, 12, 1, tzinfo=JAKARTA)
TOTAL_MENTIONS = 12_345


def sample_summary(*, title: str = "Kopi basi di gerai Depok") -> dict:
    points = []
    for day in range(30):
        negative = 40 + (day * 7) % 60
        neutral = 200 + (day * 13) % 50
        positive = 150 + (day * 5) % 40
        points.append(
            {
                "at": (START + timedelta(days=day)).isoformat(),
                "total": negative + neutral + positive,
                "negative": negative,
                "neutral": neutral,
                "positive": positive,
                "complaints": negative // 3,
            }
        )
    return {
        "period": {
            "key": "month",
            "label": "November 2026",
            "start": START.isoformat(),
            "end": END.isoformat(),
            "previous_start": (START - timedelta(days=30)).isoformat(),
            "previous_end": START.isoformat(),
            "timezone": "Asia/Jakarta",
        },
        "mentions": {
            "total": TOTAL_MENTIONS,
            "negative": 2_100,
            "negative_share": 0.1701,
            "previous": {"total": 10_000, "negative": 1_200, "negative_share": 0.12},
            "by_platform": [
                {"platform": "instagram", "total": 8_000, "negative": 1_500, "negative_share": 0.1875},
                {"platform": "x", "total": 4_345, "negative": 600, "negative_share": 0.1381},
            ],
        },
        "series": {"interval": "day", "points": points},
        "followers": [{"platform": "instagram", "start": 52_000, "end": 51_250, "change": -750}],
        "incidents": {
            "count": 4,
            "previous_count": 2,
            "by_severity": [
                {"severity": 1, "label": "SEV1 · Critical", "count": 1},
                {"severity": 2, "label": "SEV2 · High", "count": 2},
                {"severity": 4, "label": "SEV4 · Low", "count": 1},
            ],
            "by_category": [{"category": "product_defect", "label": "Product defect", "count": 3}],
            "first_response": {"median_s": 2_700, "p90_s": 9_000},
            "resolve": {"median_s": 86_400, "p90_s": 200_000},
            "missed": [
                {
                    "id": "6f1c2f57-9a51-4d9e-8f2e-0d6f1c2f5700",
                    "title": title,
                    "severity": 1,
                    "first_response_s": 9_000,
                    "resolve_s": 200_000,
                    "first_response_target_s": 3_600,
                    "resolve_target_s": 86_400,
                }
            ],
        },
        "responses": {"sent": 57, "approval_median_s": 600, "approval_p90_s": 2_400},
        "complaints": {
            "total": 700,
            "answered": 650,
            "unanswered": 50,
            "answered_within_target": 600,
            "share_within_target": 0.8571,
            "target_minutes": 60,
        },
        "moderation": [
            {"rule": "1. Hormati sesama", "action": "hide", "count": 9, "reasons": ["Menghina pelanggan"]}
        ],
        "satisfaction": {
            "csat": 82.5,
            "nps": 31.0,
            "ces": 2.4,
            "responses": 120,
            "previous": {"csat": 76.0, "nps": 12.0, "ces": 3.1, "responses": 80},
            "by_incident": [
                {"id": "x", "title": title, "csat": 70.0, "nps": -5.0, "ces": 3.0, "responses": 12}
            ],
        },
        "content": {
            "published": 14,
            "by_kind": [{"kind": "tip", "label": "Tip", "count": 9}],
            "by_platform": [{"platform": "instagram", "count": 14}],
            "engagement": {"likes": 4_200, "comments": 310, "shares": 95},
        },
    }
