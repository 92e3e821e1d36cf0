"""The crisis detectors: each reads the current brand's mentions or metrics with aggregate SQL over
indexes and returns findings; none writes. `detectors_run` runs them all for one brand. A drill's
simulated mentions (`is_drill`) are left out of every count: a drill never raises a real alert.

A finding's (detector, condition_key) names the ongoing condition, so a later sweep that sees the
same condition updates its alert instead of raising another one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import mean, pstdev
from typing import Any

from django.db import connection
from django.utils import timezone

from incidents import rumour
from incidents.models import Alert, DetectorSettings
from incidents.selectors_early_warning import detector_settings_get

Severity = Alert.Severity
Detector = Alert.Detector


@dataclass(frozen=True)
class Finding:
    detector: str
    condition_key: str
    severity: int
    title: str
    window_start: datetime
    window_end: datetime
    evidence: dict[str, Any] = field(default_factory=dict)


def _severity_for(ratio_to_threshold: float) -> int:
    """How far past its own threshold a condition is: 1× medium, 2× high, 3× critical."""
    if ratio_to_threshold >= 3:
        return Severity.CRITICAL
    if ratio_to_threshold >= 2:
        return Severity.HIGH
    return Severity.MEDIUM


def _ids(rows) -> list[str]:
    return [str(row[0]) for row in rows]


# --- Negative spike -----------------------------------------------------------------------------
# One count per day offset: the recent window (d = 0) and the same time of day on earlier days
# (seasonality by hour of day). Each is a short range scan of the partial index on negatives.
_SPIKE_COUNTS = """
SELECT d,
    (SELECT count(*) FROM incidents_mention
     WHERE sentiment_band = 'negative' AND NOT is_drill
       AND posted_at >= %(now)s - d * interval '1 day' - %(window)s
       AND posted_at < %(now)s - d * interval '1 day'),
    CASE WHEN d = 0 THEN (SELECT count(*) FROM incidents_mention
        WHERE posted_at >= %(now)s - %(window)s AND posted_at < %(now)s AND NOT is_drill) END
FROM generate_series(0, %(days)s) AS d
ORDER BY d
"""

_TOP_IN_WINDOW = """
SELECT id FROM incidents_mention
WHERE sentiment_band = 'negative' AND NOT is_drill AND posted_at >= %(start)s AND posted_at < %(end)s
ORDER BY reach + engagement DESC, posted_at
LIMIT 5
"""


def negative_spike_detect(*, settings: DetectorSettings, now: datetime) -> list[Finding]:
    """Negative mentions in the recent window against the same window on the brand's previous
    days. Quiet unless the window holds at least `spike_min_count` negatives."""
    window = timedelta(minutes=settings.spike_window_minutes)
    with connection.cursor() as cursor:
        cursor.execute(_SPIKE_COUNTS, {"now": now, "window": window, "days": settings.spike_baseline_days})
        rows = cursor.fetchall()
    recent, total = rows[0][1], rows[0][2] or 0
    if recent < settings.spike_min_count:
        return []
    history = [row[1] for row in rows[1:]]
    baseline = mean(history) if history else 0.0
    spread = pstdev(history) if len(history) > 1 else 0.0
    expected = max(baseline, 1.0)
    ratio = recent / expected
    if ratio < settings.spike_ratio:
        return []
    start = now - window
    with connection.cursor() as cursor:
        cursor.execute(_TOP_IN_WINDOW, {"start": start, "end": now})
        examples = _ids(cursor.fetchall())
    return [
        Finding(
            detector=Detector.NEGATIVE_SPIKE,
            condition_key="negative_spike",
            severity=_severity_for(ratio / settings.spike_ratio),
            title=f"{recent} negative mentions in {settings.spike_window_minutes} min "
            f"({ratio:.1f}× the usual {baseline:.1f})",
            window_start=start,
            window_end=now,
            evidence={
                "negative_count": recent,
                "total_count": total,
                "baseline_mean": round(baseline, 2),
                "baseline_stdev": round(spread, 2),
                "baseline_days": history,
                "ratio": round(ratio, 2),
                "window_minutes": settings.spike_window_minutes,
                "example_mention_ids": examples,
            },
        )
    ]


# --- Rumour -----------------------------------------------------------------------------------
_RUMOUR_TEXTS = """
SELECT id, author_handle, text, posted_at FROM incidents_mention
WHERE posted_at >= %(start)s AND posted_at <= %(end)s AND NOT is_own AND NOT is_drill
  AND (sentiment_band = 'negative' OR is_complaint)
ORDER BY posted_at DESC
LIMIT %(cap)s
"""
RUMOUR_MEMBERS_KEPT = 200


def _claim_candidates(rows: list[tuple], *, min_authors: int) -> list[tuple]:
    """The rows that could belong to a claim. Two posts join a claim only if their word shingles
    overlap, so a group of posts linked by shared shingles that has fewer than `min_authors`
    distinct authors cannot hold a claim: dropping it loses nothing and spares the MinHash work
    for the ordinary, unrelated complaints that make up most of a window."""
    index_of: dict[str, int] = {}
    authors: list[set[str]] = []
    text_index: list[int] = []
    owner: dict[bytes, int] = {}
    parent: list[int] = []

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in rows:
        normalised = rumour.normalise(row[2] or "")
        if not normalised:
            text_index.append(-1)
            continue
        i = index_of.get(normalised)
        if i is None:
            i = index_of[normalised] = len(authors)
            authors.append(set())
            parent.append(i)
            for shingle in rumour.shingles(normalised):
                j = owner.setdefault(shingle, i)
                if j != i:
                    root_i, root_j = find(i), find(j)
                    if root_i != root_j:
                        parent[max(root_i, root_j)] = min(root_i, root_j)
        authors[i].add(row[1].lower())
        text_index.append(i)
    spread: dict[int, set[str]] = {}
    for i, who in enumerate(authors):
        spread.setdefault(find(i), set()).update(who)
    keep = {root for root, who in spread.items() if len(who) >= min_authors}
    return [row for row, i in zip(rows, text_index, strict=True) if i >= 0 and find(i) in keep]


def rumour_detect(*, settings: DetectorSettings, now: datetime) -> list[Finding]:
    """The same claim (near-duplicate negative texts) spreading across many distinct authors in
    the recent window. The window's most recent `rumour_max_texts` texts are compared."""
    start = now - timedelta(hours=settings.rumour_window_hours)
    with connection.cursor() as cursor:
        cursor.execute(_RUMOUR_TEXTS, {"start": start, "end": now, "cap": settings.rumour_max_texts})
        rows = cursor.fetchall()
    compared = len(rows)
    rows = _claim_candidates(rows, min_authors=settings.rumour_min_authors)
    if len(rows) < settings.rumour_min_authors:
        return []
    claims = rumour.cluster_claims(
        (rumour.ClaimInput(id=str(r[0]), author=r[1].lower(), text=r[2], posted_at=r[3]) for r in rows),
        threshold=settings.rumour_similarity,
        min_authors=settings.rumour_min_authors,
    )
    if not claims:
        return []
    # A claim's fingerprint can change when its earliest post leaves the window; an active alert
    # that shares members with the claim keeps its key, so the alert is updated, not repeated.
    active = list(
        Alert.objects.filter(
            detector=Detector.RUMOUR, state__in=[*Alert.ACTIVE_STATES, Alert.State.INCIDENT_OPENED]
        ).values_list("condition_key", "evidence")
    )
    findings = []
    for claim in claims:
        key = f"rumour:{claim.fingerprint}"
        members = set(claim.member_ids)
        if not any(k == key for k, _ in active):
            for other_key, evidence in active:
                if members.intersection((evidence or {}).get("member_ids", ())):
                    key = other_key
                    break
        findings.append(
            Finding(
                detector=Detector.RUMOUR,
                condition_key=key,
                severity=_severity_for(claim.author_count / settings.rumour_min_authors),
                title=f"Claim spreading across {claim.author_count} authors: {claim.representative[:120]}",
                window_start=claim.first_seen,
                window_end=now,
                evidence={
                    "fingerprint": claim.fingerprint,
                    "representative": claim.representative[:1000],
                    "author_count": claim.author_count,
                    "mention_count": len(claim.member_ids),
                    "first_seen": claim.first_seen.isoformat(),
                    "last_seen": claim.last_seen.isoformat(),
                    "example_mention_ids": list(claim.example_ids),
                    "member_ids": list(claim.member_ids[:RUMOUR_MEMBERS_KEPT]),
                    "texts_compared": compared,
                },
            )
        )
    return findings


# --- Follower drop ----------------------------------------------------------------------------
_FOLLOWER_SAMPLES = """
SELECT platform, measured_at, followers FROM incidents_metricsample
WHERE measured_at >= %(start)s AND measured_at <= %(now)s
ORDER BY platform, measured_at
"""


def _trend_at(points: list[tuple[float, float]], at: float) -> float:
    """Least-squares line through (time, followers), read at `at`."""
    if len(points) == 1:
        return points[0][1]
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x_mean, y_mean = mean(xs), mean(ys)
    denominator = sum((x - x_mean) ** 2 for x in xs)
    if not denominator:
        return y_mean
    slope = sum((x - x_mean) * (y - y_mean) for x, y in points) / denominator
    return y_mean + slope * (at - x_mean)


def follower_drop_detect(*, settings: DetectorSettings, now: datetime) -> list[Finding]:
    """Per platform: the latest follower count against what the trend before the window predicts
    (or, with no earlier samples, the window's highest count)."""
    window = timedelta(hours=settings.follower_window_hours)
    lookback = max(timedelta(days=7), window * 2)
    with connection.cursor() as cursor:
        cursor.execute(_FOLLOWER_SAMPLES, {"start": now - lookback, "now": now})
        rows = cursor.fetchall()
    by_platform: dict[str, list[tuple[datetime, int]]] = {}
    for platform, measured_at, followers in rows:
        by_platform.setdefault(platform, []).append((measured_at, followers))
    findings = []
    for platform, samples in by_platform.items():
        latest_at, latest = samples[-1]
        window_start = latest_at - window
        before = [(t.timestamp(), float(f)) for t, f in samples if t < window_start]
        if before:
            expected = _trend_at(before, latest_at.timestamp())
        else:
            earlier = [f for t, f in samples[:-1]]
            if not earlier:
                continue
            expected = float(max(earlier))
        lost = expected - latest
        if expected <= 0 or lost < settings.follower_drop_min:
            continue
        pct = lost / expected * 100
        if pct < settings.follower_drop_pct:
            continue
        findings.append(
            Finding(
                detector=Detector.FOLLOWER_DROP,
                condition_key=f"follower_drop:{platform}",
                severity=_severity_for(pct / settings.follower_drop_pct),
                title=f"{platform}: followers down {pct:.1f}% ({int(lost)} fewer than the trend)",
                window_start=window_start,
                window_end=latest_at,
                evidence={
                    "platform": platform,
                    "latest_followers": latest,
                    "latest_at": latest_at.isoformat(),
                    "expected_followers": round(expected),
                    "lost": round(lost),
                    "drop_percent": round(pct, 2),
                    "samples_in_trend": len(before),
                },
            )
        )
    return findings


# --- Unanswered complaints --------------------------------------------------------------------
# The WHERE clause repeats the partial index's predicate so the planner can use it.
_UNANSWERED = """
SELECT count(*), min(posted_at) FROM incidents_mention
WHERE answered_at IS NULL AND NOT is_own AND (sentiment_band = 'negative' OR is_complaint)
  AND NOT is_drill AND posted_at >= %(start)s AND posted_at < %(due)s
"""
_UNANSWERED_OLDEST = """
SELECT id FROM incidents_mention
WHERE answered_at IS NULL AND NOT is_own AND (sentiment_band = 'negative' OR is_complaint)
  AND NOT is_drill AND posted_at >= %(start)s AND posted_at < %(due)s
ORDER BY posted_at
LIMIT 5
"""


def unanswered_complaints_detect(*, settings: DetectorSettings, now: datetime) -> list[Finding]:
    """Negative or complaint mentions still unanswered past the brand's response target."""
    start = now - timedelta(hours=settings.unanswered_lookback_hours)
    due = now - timedelta(minutes=settings.response_target_minutes)
    with connection.cursor() as cursor:
        cursor.execute(_UNANSWERED, {"start": start, "due": due})
        count, oldest = cursor.fetchone()
        if count < max(settings.unanswered_min_count, 1):
            return []
        cursor.execute(_UNANSWERED_OLDEST, {"start": start, "due": due})
        examples = _ids(cursor.fetchall())
    waited = (now - oldest).total_seconds() / 60
    return [
        Finding(
            detector=Detector.UNANSWERED_COMPLAINTS,
            condition_key="unanswered_complaints",
            severity=_severity_for(count / max(settings.unanswered_min_count, 1)),
            title=f"{count} complaints unanswered past the {settings.response_target_minutes}-minute target",
            window_start=start,
            window_end=due,
            evidence={
                "count": count,
                "oldest_posted_at": oldest.isoformat(),
                "oldest_waited_minutes": round(waited),
                "response_target_minutes": settings.response_target_minutes,
                "example_mention_ids": examples,
            },
        )
    ]


DETECTORS = (negative_spike_detect, rumour_detect, follower_drop_detect, unanswered_complaints_detect)

# Can any detector find anything, or any sweep alert end? Every mention-reading detector looks at
# mentions posted since its own window's start (the spike's recent window, the rumour window, the
# unanswered lookback), the follower detector at samples since its lookback, and the end of a
# condition needs a live sweep alert. None of them in the brand: the sweep would find nothing.
_QUIET = """
SELECT NOT (
    EXISTS (SELECT 1 FROM incidents_mention WHERE posted_at >= %(mentions_since)s)
    OR EXISTS (SELECT 1 FROM incidents_metricsample WHERE measured_at >= %(samples_since)s)
    OR EXISTS (SELECT 1 FROM incidents_alert WHERE state = ANY(%(live)s) AND detector <> %(threat)s)
)
"""


def detectors_quiet(*, settings: DetectorSettings, now: datetime) -> bool:
    """True when no detector could find anything now and no sweep alert is live: one indexed query,
    so the periodic sweep of an idle brand (most brands, most minutes) costs one round trip."""
    mentions_since = now - max(
        timedelta(minutes=settings.spike_window_minutes),
        timedelta(hours=settings.rumour_window_hours),
        timedelta(hours=settings.unanswered_lookback_hours),
    )
    follower_window = timedelta(hours=settings.follower_window_hours)
    with connection.cursor() as cursor:
        cursor.execute(
            _QUIET,
            {
                "mentions_since": mentions_since,
                "samples_since": now - max(timedelta(days=7), follower_window * 2),
                "live": [*Alert.ACTIVE_STATES, Alert.State.INCIDENT_OPENED],
                "threat": Detector.THREAT,
            },
        )
        return cursor.fetchone()[0]


def detectors_run(*, now: datetime | None = None, settings: DetectorSettings | None = None) -> list[Finding]:
    """Every detector's findings for the current brand."""
    now = now or timezone.now()
    settings = settings or detector_settings_get()
    findings: list[Finding] = []
    for detect in DETECTORS:
        findings.extend(detect(settings=settings, now=now))
    return findings
