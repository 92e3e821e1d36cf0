"""The scoring worker's write: a batch is written in chunks, each sent to the server before the
next chunk is scored (so the two overlap), all in one transaction that rolls back whole if any
chunk's write fails; a model server still receives the batch in one request."""

import time
from dataclasses import replace

import psycopg
import pytest
from django.db import connection

from incidents import scoring
from incidents.scorers import BACKEND_HTTP, BACKEND_LEXICON
from tests.incidents.fixtures_early_warning import mention_row

pytestmark = pytest.mark.django_db


class RecordingScorer:
    """The lexicon scorer, recording each call's size and the statement the database server was
    last handed by the scoring connection by then (read from a second connection): for every call
    after the first, a statement newer than the one seen at the call before."""

    def __init__(self, name=BACKEND_LEXICON):
        self.name = name
        self.sizes: list[int] = []
        self.server_saw: list[str] = []
        self.pipelined: list[bool] = []
        self.spoil_call: int | None = None
        self._seen_at = None

    def score_batch(self, texts):
        self.sizes.append(len(texts))
        query, self._seen_at = _statement_of(connection.connection.info.backend_pid, newer_than=self._seen_at)
        self.server_saw.append(query)
        self.pipelined.append(connection.connection.pgconn.pipeline_status != psycopg.pq.PipelineStatus.OFF)
        scores = scoring.score_batch(texts)
        if self.spoil_call == len(self.sizes):
            # A band longer than the column holds: this chunk's UPDATE fails on the server.
            scores = [replace(s, band="x" * 40) for s in scores]
        return scores


def _statement_of(pid: int, *, newer_than=None, seconds: float = 10) -> tuple[str, object]:
    """The last statement backend `pid` started and when, waiting (a while) for one started after
    `newer_than`: a statement sent without waiting reaches the server a moment later."""
    other = connection.copy()  # a second connection, outside the test's transaction
    deadline = time.monotonic() + seconds
    try:
        with other.cursor() as cursor:
            while True:
                cursor.execute("SELECT query, query_start FROM pg_stat_activity WHERE pid = %s", [pid])
                query, started = cursor.fetchone()
                if newer_than is None or started > newer_than or time.monotonic() > deadline:
                    return query, started
                time.sleep(0.01)
    finally:
        other.close()


def _backlog(count: int) -> list[str]:
    from incidents.services.intake import mentions_ingest

    rows = [mention_row(text=f"Pesanan {i} belum sampai, kecewa banget") for i in range(count)]
    mentions_ingest(rows=rows)
    return [r["external_id"] for r in rows]


def test_a_batch_is_written_chunk_by_chunk_each_sent_before_the_next_is_scored(in_brand_a, monkeypatch):
    from incidents.models import Mention
    from incidents.services import intake

    _backlog(250)
    scorer = RecordingScorer()
    monkeypatch.setattr(intake, "scorer_get", lambda: scorer)

    assert intake.mentions_score_batch() == 250

    assert scorer.sizes == [intake.SCORE_WRITE_CHUNK, intake.SCORE_WRITE_CHUNK, 50]
    # While the first chunk was scored the server had just run the claim; while each later one
    # was scored, the server had already been handed the previous chunk's write, and the
    # connection was in pipeline mode, so this process had not waited for that write's result.
    assert "FOR UPDATE OF m SKIP LOCKED" in scorer.server_saw[0]
    assert all(seen.lstrip().startswith("UPDATE incidents_mention") for seen in scorer.server_saw[1:])
    assert scorer.pipelined == [True, True, True]
    assert not Mention.all_objects.filter(scored_at__isnull=True).exists()
    assert Mention.objects.filter(sentiment_band="negative").count() == 250


def test_a_chunk_whose_write_fails_rolls_back_the_whole_batch(in_brand_a, monkeypatch):
    from incidents.models import Mention
    from incidents.services import intake

    _backlog(250)
    scorer = RecordingScorer()
    scorer.spoil_call = 3  # the last chunk, after two writes were already sent
    monkeypatch.setattr(intake, "scorer_get", lambda: scorer)

    with pytest.raises(psycopg.errors.StringDataRightTruncation):
        intake.mentions_score_batch()

    # Nothing of the batch is kept: the next run scores all of it again.
    assert Mention.all_objects.filter(scored_at__isnull=True).count() == 250
    monkeypatch.setattr(intake, "scorer_get", lambda: RecordingScorer())
    assert intake.mentions_score_pending() == 250


def test_a_model_server_gets_the_whole_batch_in_one_request(in_brand_a, monkeypatch):
    from incidents.services import intake

    _backlog(250)
    scorer = RecordingScorer(name=BACKEND_HTTP)
    monkeypatch.setattr(intake, "scorer_get", lambda: scorer)

    assert intake.mentions_score_batch() == 250
    assert scorer.sizes == [250]


def test_a_batch_locks_the_hourly_rollups_in_ascending_order_across_its_chunks(in_brand_a, monkeypatch):
    """Each chunk's write locks the rollup rows of its hours (the statement trigger); an intake
    statement locks its hours in ascending order, so the batch must too, across its chunks, or the
    two can deadlock. Here the oldest-received rows were posted last, so claim order descends."""
    from datetime import timedelta

    from django.utils import timezone

    from incidents.services import intake

    start = timezone.now()
    for group in range(5):  # received one after another; each group posted an hour earlier
        posted = start - timedelta(hours=group + 1)
        rows = [
            mention_row(text=f"hour {group} kecewa", posted_at=posted.isoformat(), platform=platform)
            for platform in ("x", "instagram")
            for _ in range(25)
        ]
        intake.mentions_ingest(rows=rows, now=start + timedelta(seconds=group))
    scorer = RecordingScorer()
    posted_hours: list[int] = []  # hours before `start`, negated: ascending is oldest first
    original = scorer.score_batch

    def score_batch(texts):
        posted_hours.extend(-(int(text.split()[1]) + 1) for text, _ in texts)
        return original(texts)

    scorer.score_batch = score_batch
    monkeypatch.setattr(intake, "scorer_get", lambda: scorer)

    assert intake.mentions_score_batch() == 250
    assert len(scorer.sizes) == 3
    assert posted_hours == sorted(posted_hours)  # the earliest hour first, never back to an earlier one
