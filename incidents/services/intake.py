"""Intake of mentions and audience metrics in bulk, and the scoring that follows it.

Rows are validated in plain Python (no per-row ORM or serializer work), good rows are written with
one `INSERT … SELECT FROM unnest(…) ON CONFLICT … DO UPDATE` per request, and bad rows come back
with their errors. Rows are written in key order so two overlapping concurrent requests take their
row locks in the same order and cannot deadlock; ON CONFLICT makes them safe to overlap.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from incidents import scoring
from incidents.models import DetectorSettings, Mention
from incidents.scorers import BACKEND_LEXICON, scorer_get
from incidents.selectors_early_warning import detector_settings_get
from incidents.services.alerts import threat_alerts_raise
from incidents.services.care import care_dms_attach
from incidents.services.sweeps import detectors_sweep_request, mentions_scoring_request
from tenants.audit import Action, audit_record, diff, snapshot
from tenants.errors import DomainError
from tenants.languages import LANGUAGE_CODES
from tenants.platforms import PLATFORMS, platform_get

logger = logging.getLogger(__name__)

# The rules of one posted mention, kept here and described from here (the API's MentionIn).
MAX_ROWS_PER_REQUEST = 5000
MAX_TEXT_LENGTH = 20_000
PLATFORM_MAX = 32
EXTERNAL_ID_MAX = 200  # external_id and parent_external_id: a string, or a whole number
HANDLE_MAX = 200  # author_handle and author_name
URL_MAX = 2000
# Clocks differ between a source and us; a post "from the future" beyond this is a bad timestamp.
FUTURE_TOLERANCE = timedelta(days=1)
SCORE_BATCH_SIZE = 500
# A deadlock's victim is stored again this many times in all before the request fails.
INTAKE_DEADLOCK_ATTEMPTS = 3
SCORE_WRITE_CHUNK = 100  # rows per write inside a batch (see mentions_score_batch)

_KINDS = frozenset(Mention.Kind.values)
_BIGINT_MAX = 2**63 - 1


@dataclass
class IntakeResult:
    created: int = 0
    updated: int = 0
    rejected: int = 0
    duplicates: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
            "duplicates_in_request": self.duplicates,
            "errors": self.errors,
        }


@dataclass(frozen=True)
class ThreatMention:
    """A mention found threatening at intake, as the threat alert describes it."""

    mention_id: Any
    platform: str
    external_id: str
    author_handle: str
    text: str
    url: str
    posted_at: datetime


# --- Validation: plain Python, one pass per row -------------------------------------------------
class _RowErrors(dict):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def _string(
    row: dict,
    name: str,
    errors: _RowErrors,
    *,
    max_length: int,
    required: bool = False,
    allow_int: bool = False,
) -> str:
    value = row.get(name)
    if value is None or value == "":
        if required:
            errors.add(name, "This field is required.")
        return ""
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        errors.add(name, "Must be a string.")
        return ""
    if "\x00" in value:
        errors.add(name, "Must not contain NUL characters.")
        return ""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate such as "\ud800" from a JSON escape
            errors.add(name, "Must be valid Unicode text.")
            return ""
    if len(value) > max_length:
        errors.add(name, f"Ensure this field has no more than {max_length} characters (it has {len(value)}).")
        return ""
    return value


def _count(row: dict, name: str, errors: _RowErrors) -> int:
    value = row.get(name)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            errors.add(name, "Must be a whole number.")
            return 0
    if not 0 <= value <= _BIGINT_MAX:
        errors.add(name, f"Must be between 0 and {_BIGINT_MAX}.")
        return 0
    return value


def _datetime(row: dict, name: str, errors: _RowErrors, *, now: datetime) -> datetime | None:
    value = row.get(name)
    if value in (None, ""):
        errors.add(name, "This field is required.")
        return None
    if not isinstance(value, str):
        errors.add(name, "Must be an ISO 8601 date-time string with a time zone.")
        return None
    try:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            errors.add(name, "Include a time zone offset (e.g. +07:00 or Z).")
            return None
        parsed = parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        errors.add(name, "Must be an ISO 8601 date-time, e.g. 2026-11-23T08:15:00+07:00.")
        return None
    if parsed > now + FUTURE_TOLERANCE:
        errors.add(name, "Is more than a day in the future.")
        return None
    return parsed


def _platform(row: dict, errors: _RowErrors) -> str:
    value = _string(row, "platform", errors, max_length=PLATFORM_MAX, required=True)
    if value:
        value = value.strip().lower()
        if platform_get(value) is None:
            errors.add("platform", f"Unknown platform; use one of: {', '.join(PLATFORMS)}.")
            return ""
    return value


@dataclass(slots=True)
class _MentionRow:
    platform: str
    external_id: str
    kind: str
    author_handle: str
    author_name: str
    text: str
    url: str
    posted_at: datetime
    parent_external_id: str
    reach: int
    engagement: int
    source_language: str
    source_sentiment: float | None


def _mention_row_validate(row: Any, *, now: datetime) -> tuple[_MentionRow | None, dict[str, list[str]]]:
    errors = _RowErrors()
    if not isinstance(row, dict):
        return None, {"non_field_errors": ["Each mention must be a JSON object."]}
    platform = _platform(row, errors)
    external_id = _string(
        row, "external_id", errors, max_length=EXTERNAL_ID_MAX, required=True, allow_int=True
    )
    kind = row.get("kind")
    if kind in (None, ""):
        errors.add("kind", "This field is required.")
    elif not isinstance(kind, str) or kind not in _KINDS:
        errors.add("kind", f"Must be one of: {', '.join(sorted(_KINDS))}.")
    author_handle = _string(row, "author_handle", errors, max_length=HANDLE_MAX, required=True)
    author_name = _string(row, "author_name", errors, max_length=HANDLE_MAX)
    text = _string(row, "text", errors, max_length=MAX_TEXT_LENGTH)
    url = _string(row, "url", errors, max_length=URL_MAX)
    if url and not url.startswith(("https://", "http://")):
        errors.add("url", "Must be an http(s) URL.")
    posted_at = _datetime(row, "posted_at", errors, now=now)
    parent = _string(row, "parent_external_id", errors, max_length=EXTERNAL_ID_MAX, allow_int=True)
    reach = _count(row, "reach", errors)
    engagement = _count(row, "engagement", errors)
    language = row.get("language") or ""
    if language and (not isinstance(language, str) or language not in LANGUAGE_CODES):
        errors.add("language", f"Must be one of {', '.join(LANGUAGE_CODES)} (or left out).")
    sentiment = row.get("sentiment")
    if sentiment is not None:
        if (
            isinstance(sentiment, bool)
            or not isinstance(sentiment, int | float)
            or not math.isfinite(sentiment)
        ):
            errors.add("sentiment", "Must be a number from -1 to 1.")
        elif not -1.0 <= sentiment <= 1.0:
            errors.add("sentiment", "Must be a number from -1 to 1.")
    if errors:
        return None, errors
    return (
        _MentionRow(
            platform=platform,
            external_id=external_id,
            kind=kind,
            author_handle=author_handle,
            author_name=author_name,
            text=text,
            url=url,
            posted_at=posted_at,
            parent_external_id=parent,
            reach=reach,
            engagement=engagement,
            source_language=language,
            source_sentiment=float(sentiment) if sentiment is not None else None,
        ),
        {},
    )


def _external_id_of(row: Any) -> Any:
    if isinstance(row, dict):
        value = row.get("external_id")
        if isinstance(value, str | int) and not isinstance(value, bool):
            # Echoed in the rejection: a lone surrogate is written as its escape, never as text no
            # encoder can write.
            return str(value)[:200].encode("utf-8", "backslashreplace").decode("utf-8")
    return None


def _raw_cursor():
    """A psycopg cursor with server-side binding on Django's connection (same transaction, and
    the brand's search_path, which django-tenants sets when Django opens a cursor)."""
    with connection.cursor():
        pass
    return psycopg.Cursor(connection.connection)


# --- Mentions -------------------------------------------------------------------------------------
# The batch travels as one JSON parameter that PostgreSQL expands row by row: serialising it is one
# C call (json.dumps), where 14 Python lists would each be dumped element by element.
_MENTION_UPSERT = """
INSERT INTO incidents_mention AS m (
    id, platform, external_id, kind, author_handle, author_name, text, url, posted_at,
    parent_external_id, reach, engagement, source_language, source_sentiment, is_own,
    language, sentiment_band, is_abuse, is_threat, is_complaint, is_question,
    received_at, updated_at
)
SELECT gen_random_uuid(), e->>0, e->>1, e->>2, e->>3, e->>4, e->>5, e->>6, (e->>7)::timestamptz,
    e->>8, (e->>9)::bigint, (e->>10)::bigint, e->>11, (e->>12)::float8, (e->>13)::boolean,
    -- A threat found at intake is flagged (and counted negative) before bulk scoring reaches it.
    '', CASE WHEN (e->>14)::boolean THEN 'negative' ELSE '' END, false, (e->>14)::boolean, false, false,
    %(now)s, %(now)s
FROM json_array_elements(%(rows)s::json) AS e
ON CONFLICT (platform, external_id) DO UPDATE SET
    reach = EXCLUDED.reach,
    engagement = EXCLUDED.engagement,
    author_name = EXCLUDED.author_name,
    url = EXCLUDED.url,
    source_sentiment = EXCLUDED.source_sentiment,
    text = EXCLUDED.text,
    -- An edited text is scored again; a resend with the same text keeps its score.
    scored_at = CASE WHEN m.text IS DISTINCT FROM EXCLUDED.text THEN NULL ELSE m.scored_at END,
    is_threat = CASE WHEN m.text IS DISTINCT FROM EXCLUDED.text THEN EXCLUDED.is_threat
        ELSE m.is_threat OR EXCLUDED.is_threat END,
    sentiment_band = CASE WHEN EXCLUDED.is_threat THEN 'negative' ELSE m.sentiment_band END,
    updated_at = EXCLUDED.updated_at
-- A threat is escalated when it is new or its text changed (a plain resend keeps its scored_at).
RETURNING (xmax = 0) AS inserted, id, platform, external_id, is_threat AND scored_at IS NULL AS escalate
"""


def mentions_ingest(*, rows: Sequence[Any], now: datetime | None = None) -> IntakeResult:
    """Validate `rows` and store the good ones in one statement; rows with the same (platform,
    external_id) are stored once (a resend updates counts). Queues scoring after commit, unless a
    scoring task for this brand is already pending (that one will see these rows). A row that
    threatens violence, harm or doxxing raises its high-severity alert in this transaction, so it
    never waits behind a bulk-scoring backlog. A store chosen as a deadlock's victim is retried
    whole (see _mentions_store)."""
    now = now or timezone.now()
    result = IntakeResult()
    handles = detector_settings_get().handles
    by_key: dict[tuple[str, str], _MentionRow] = {}
    for index, raw in enumerate(rows):
        row, errors = _mention_row_validate(raw, now=now)
        if row is None:
            result.errors.append({"index": index, "external_id": _external_id_of(raw), "errors": errors})
            continue
        key = (row.platform, row.external_id)
        if key in by_key:
            result.duplicates += 1  # the last copy in the request wins
        by_key[key] = row
    result.rejected = len(result.errors)
    if not by_key:
        return result

    # Key order: overlapping concurrent requests lock shared rows in the same order (no deadlock).
    batch = json.dumps(
        [
            (
                r.platform,
                r.external_id,
                r.kind,
                r.author_handle,
                r.author_name,
                r.text,
                r.url,
                r.posted_at.isoformat(),
                r.parent_external_id,
                r.reach,
                r.engagement,
                r.source_language,
                r.source_sentiment,
                r.author_handle.lstrip("@").lower() in handles,
                scoring.is_threat(r.text),
            )
            for r in (by_key[key] for key in sorted(by_key))
        ],
        ensure_ascii=False,
    )
    for attempt in range(1, INTAKE_DEADLOCK_ATTEMPTS + 1):
        try:
            returned = _mentions_store(batch=batch, by_key=by_key, now=now)
            break
        except (psycopg.errors.DeadlockDetected, OperationalError) as exc:
            if not _is_deadlock(exc) or attempt == INTAKE_DEADLOCK_ATTEMPTS:
                raise
            logger.warning(
                "Intake was a deadlock's victim; storing the batch again (attempt %d).", attempt + 1
            )
    result.created = sum(row[0] for row in returned)
    result.updated = len(returned) - result.created
    return result


def _is_deadlock(exc: BaseException) -> bool:
    """Whether `exc` says PostgreSQL aborted this transaction to break a deadlock (raised by a raw
    psycopg cursor as is, by Django's cursors wrapped in OperationalError)."""
    return isinstance(exc, psycopg.errors.DeadlockDetected) or isinstance(
        exc.__cause__, psycopg.errors.DeadlockDetected
    )


@transaction.atomic
def _mentions_store(*, batch: str, by_key: dict, now: datetime) -> list[tuple]:
    """Store the batch and do what must happen with it in the same transaction (a savepoint when
    the caller holds one). A deadlock makes PostgreSQL abort one of the transactions in it; when
    that is this one, everything it wrote is rolled back with it (alerts, care cases, the
    after-commit scoring request), so running it again stores the batch once. Every writer of
    mentions takes the hourly rollup rows in the same order, which keeps deadlocks rare, but a
    request must not fail for one."""
    with _raw_cursor() as cursor:
        cursor.execute(_MENTION_UPSERT, {"now": now, "rows": batch})
        returned = cursor.fetchall()
    threats = [(row[1], by_key[(row[2], row[3])]) for row in returned if row[4]]
    if threats:
        threat_alerts_raise(
            mentions=[
                ThreatMention(
                    mention_id=mention_id,
                    platform=r.platform,
                    external_id=r.external_id,
                    author_handle=r.author_handle,
                    text=r.text,
                    url=r.url,
                    posted_at=r.posted_at,
                )
                for mention_id, r in threats
            ],
            now=now,
        )
    dm_ids = [row[1] for row in returned if by_key[(row[2], row[3])].kind == Mention.Kind.DIRECT_MESSAGE]
    if dm_ids:
        care_dms_attach(mention_ids=dm_ids)  # the customer's DMs join their open care case
    # The unscored rows are the record of this work (the periodic tick scores leftovers), so a
    # broker that is down only delays it: the stored rows still get their 2xx.
    transaction.on_commit(mentions_scoring_request)
    return returned


# --- Metrics --------------------------------------------------------------------------------------
_METRIC_UPSERT = """
INSERT INTO incidents_metricsample AS s (id, platform, measured_at, followers, received_at, updated_at)
SELECT gen_random_uuid(), t.*, %(now)s, %(now)s
FROM unnest(%(platform)s::text[], %(measured_at)s::timestamptz[], %(followers)s::bigint[]) AS t
ON CONFLICT (platform, measured_at) DO UPDATE SET followers = EXCLUDED.followers, updated_at = EXCLUDED.updated_at
RETURNING (xmax = 0) AS inserted
"""


def _metric_row_validate(row: Any, *, now: datetime) -> tuple[tuple | None, dict[str, list[str]]]:
    errors = _RowErrors()
    if not isinstance(row, dict):
        return None, {"non_field_errors": ["Each sample must be a JSON object."]}
    platform = _platform(row, errors)
    measured_at = _datetime(row, "measured_at", errors, now=now)
    if row.get("followers") is None:
        errors.add("followers", "This field is required.")
        followers = 0
    else:
        followers = _count(row, "followers", errors)
    if errors:
        return None, errors
    return (platform, measured_at, followers), {}


@transaction.atomic
def metrics_ingest(*, rows: Sequence[Any], now: datetime | None = None) -> IntakeResult:
    """Store follower counts per (platform, measured_at) in one statement; a resend updates them.
    Queues a detector sweep after commit, unless one is already pending for this brand."""
    now = now or timezone.now()
    result = IntakeResult()
    by_key: dict[tuple[str, datetime], int] = {}
    for index, raw in enumerate(rows):
        row, errors = _metric_row_validate(raw, now=now)
        if row is None:
            result.errors.append({"index": index, "external_id": None, "errors": errors})
            continue
        if (row[0], row[1]) in by_key:
            result.duplicates += 1
        by_key[(row[0], row[1])] = row[2]
    result.rejected = len(result.errors)
    if not by_key:
        return result
    keys = sorted(by_key)
    with _raw_cursor() as cursor:
        cursor.execute(
            _METRIC_UPSERT,
            {
                "now": now,
                "platform": [k[0] for k in keys],
                "measured_at": [k[1] for k in keys],
                "followers": [by_key[k] for k in keys],
            },
            binary=True,
        )
        inserted = [row[0] for row in cursor.fetchall()]
    result.created = sum(inserted)
    result.updated = len(inserted) - result.created
    # A broker that is down only delays the sweep (the periodic tick runs the detectors anyway).
    transaction.on_commit(detectors_sweep_request)
    return result


# --- Answered state -----------------------------------------------------------------------------
@transaction.atomic
def mention_mark_answered(*, mention_id, at: datetime | None = None) -> Mention:
    """Record that the brand answered a mention. Safe to repeat: the first answer time stays."""
    mention = Mention.objects.select_for_update().get(pk=mention_id)
    if mention.answered_at is None:
        mention.answered_at = at or timezone.now()
        mention.save(update_fields=["answered_at", "updated_at"])
    return mention


# --- Scoring --------------------------------------------------------------------------------------
# The last column says whether a brand reply to the row is already stored: most batches hold no
# such row, and then the late-parent update is not sent. A scalar subquery with LIMIT (not EXISTS,
# which the planner may hash over every brand reply ever stored) is one probe of the own-replies
# index per row.
#
# The claimed rows come back in the hourly rollup's key order (hour, platform): each chunk's write
# fires the rollup trigger, which locks the rollup rows of its chunk in that order, so the batch
# takes them in ascending order across its chunks too, as every other writer of mentions does in
# its one statement. In claim order, a chunk could lock a later hour before the next chunk locks an
# earlier one, and deadlock against an intake request holding the earlier hour. The database sorts,
# so the platforms compare with the same collation as in the trigger.
_SCORE_CLAIM = """
SELECT * FROM (
    SELECT id, text, source_language, platform, external_id, parent_external_id, is_own, posted_at,
        is_threat, author_handle, url, is_drill,
        NOT is_own AND COALESCE((
            SELECT true FROM incidents_mention r
            WHERE r.is_own AND r.platform = m.platform AND r.parent_external_id = m.external_id
            LIMIT 1
        ), false) AS has_own_reply
    FROM incidents_mention AS m
    WHERE scored_at IS NULL
    ORDER BY received_at
    LIMIT %(limit)s
    FOR UPDATE OF m SKIP LOCKED
) AS claimed
ORDER BY date_trunc('hour', posted_at AT TIME ZONE 'UTC'), platform
"""

# The scores travel as one JSON parameter, as the intake's rows do: json.dumps is one C call, where
# eight arrays were dumped element by element in Python (a third of this process's time per batch).
_SCORE_WRITE = """
UPDATE incidents_mention AS m SET
    sentiment = (e->>1)::float8, sentiment_band = e->>2, language = e->>3,
    is_abuse = (e->>4)::boolean, is_threat = (e->>5)::boolean, is_complaint = (e->>6)::boolean,
    is_question = (e->>7)::boolean, scored_at = %(now)s
FROM json_array_elements(%(scores)s::json) AS e
WHERE m.id = (e->>0)::uuid
"""

# A reply from the brand's own handle answers its parent; a parent that arrives after the
# brand's reply is answered too.
_LINK_ANSWERS = """
UPDATE incidents_mention AS p SET answered_at = r.posted_at
FROM (
    SELECT platform, parent_external_id, min(posted_at) AS posted_at
    FROM incidents_mention
    WHERE is_own AND parent_external_id <> '' AND id = ANY(%(own_ids)s::uuid[])
    GROUP BY platform, parent_external_id
) AS r
WHERE p.platform = r.platform AND p.external_id = r.parent_external_id AND p.answered_at IS NULL
"""

_LINK_LATE_PARENTS = """
UPDATE incidents_mention AS p SET answered_at = (
    SELECT min(r.posted_at) FROM incidents_mention r
    WHERE r.platform = p.platform AND r.parent_external_id = p.external_id AND r.is_own
)
WHERE p.id = ANY(%(ids)s::uuid[]) AND p.answered_at IS NULL AND EXISTS (
    SELECT 1 FROM incidents_mention r
    WHERE r.is_own AND r.platform = p.platform AND r.parent_external_id = p.external_id
)
"""


@transaction.atomic
def mentions_score_batch(*, limit: int = SCORE_BATCH_SIZE) -> int:
    """Score up to `limit` unscored mentions and link brand replies to what they answer. Rows
    another worker is scoring are skipped (SKIP LOCKED), so concurrent runs share the work.
    Returns how many were scored; 0 means nothing is left."""
    now = timezone.now()
    with _raw_cursor() as cursor:
        # A scoring write lost in a server crash is scored again (its scored_at is still NULL, and a
        # crash loses whole transactions, never part of one), so it need not wait for its WAL flush.
        # A batch that raises an alert commits durably (see below).
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute(_SCORE_CLAIM, {"limit": limit}, binary=True)
        claimed = cursor.fetchall()
        if not claimed:
            return 0
        scorer = scorer_get()
        scores = []
        # Each chunk's write is sent without waiting for it (pipeline mode, same transaction), so
        # the server writes one chunk while this process scores the next: the two costs overlap
        # instead of adding up (bench/scoring.py --db: 1.2-1.3x). An error in any write is raised
        # when the pipeline ends and the whole batch rolls back. A model server still gets the
        # batch in one request: its cost is the round trip, which more requests would multiply.
        chunk_size = SCORE_WRITE_CHUNK if scorer.name == BACKEND_LEXICON else len(claimed)
        with cursor.connection.pipeline():
            for start in range(0, len(claimed), chunk_size):
                chunk = claimed[start : start + chunk_size]
                chunk_scores = scorer.score_batch([(row[1] or "", row[2] or None) for row in chunk])
                scores += chunk_scores
                rows = json.dumps(
                    [
                        (
                            str(row[0]),
                            s.sentiment,
                            s.band,
                            s.language,
                            s.is_abuse,
                            s.is_threat,
                            s.is_complaint,
                            s.is_question,
                        )
                        for row, s in zip(chunk, chunk_scores, strict=True)
                    ]
                )
                cursor.execute(_SCORE_WRITE, {"now": now, "scores": rows})
        own_ids = [row[0] for row in claimed if row[6] and row[5]]
        if own_ids:
            cursor.execute(_LINK_ANSWERS, {"own_ids": own_ids}, binary=True)
        # Rows whose brand reply was stored before the claim; a reply stored after it links its
        # parent when it is scored itself (_LINK_ANSWERS, which waits for this batch's row locks).
        late_parent_ids = [row[0] for row in claimed if row[12]]
        if late_parent_ids:
            cursor.execute(_LINK_LATE_PARENTS, {"ids": late_parent_ids}, binary=True)
    # A threat the intake check did not see (a model server's finding) escalates now.
    late_threats = [
        ThreatMention(
            mention_id=row[0],
            platform=row[3],
            external_id=row[4],
            author_handle=row[9],
            text=row[1] or "",
            url=row[10],
            posted_at=row[7],
        )
        for row, score in zip(claimed, scores, strict=True)
        # A drill's simulated threat is practice, never an alert to the real team.
        if score.is_threat and not row[8] and not row[11]
    ]
    if late_threats:
        with _raw_cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = on")  # an alert is never lost once raised
        threat_alerts_raise(mentions=late_threats, now=now)
    return len(claimed)


def mentions_score_pending(*, max_batches: int = 200) -> int:
    """Score every unscored mention, batch by batch (each batch its own transaction). A backlog
    larger than `max_batches` batches asks for another scoring task for the rest, so a burst of
    intake never waits for the next periodic tick (and no task runs into its time limit)."""
    # Most ticks find nothing to score: one indexed look (no transaction, no row lock) says so.
    if not Mention.all_objects.filter(scored_at__isnull=True).exists():  # drill posts are scored too
        return 0
    total = 0
    for _ in range(max_batches):
        try:
            scored = mentions_score_batch()
        except (psycopg.errors.DeadlockDetected, OperationalError) as exc:
            if not _is_deadlock(exc):
                raise
            # The batch rolled back whole, its rows are unscored again: claim them again.
            logger.warning("A scoring batch was a deadlock's victim; scoring it again.")
            continue
        total += scored
        if not scored:
            break
    else:
        mentions_scoring_request()
    return total


@transaction.atomic
def detector_settings_update(**values) -> DetectorSettings:
    """Save the brand's detector thresholds (creating the row the first time)."""
    # Two first saves at once: get_or_create waits for the other's insert and reads its row (a bare
    # INSERT would fail on the primary key), and the row lock then applies the two in turn.
    DetectorSettings.objects.get_or_create(pk=1)
    row = DetectorSettings.objects.select_for_update().get(pk=1)
    before = snapshot(row, list(values))
    for name, value in values.items():
        setattr(row, name, value)
    try:
        row.full_clean()
    except ValidationError as exc:
        raise DomainError("Invalid detector settings.", field_errors=exc.message_dict) from exc
    row.save()
    changes = diff(before, snapshot(row, list(values)))
    if changes:
        audit_record(
            action=Action.DETECTOR_SETTINGS_CHANGED, target=row, in_current_brand=True, changes=changes
        )
    return row
