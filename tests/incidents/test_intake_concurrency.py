"""Intake and scoring running at the same time on committed data: overlapping intake requests
store each (platform, external_id) once, two scoring runs share a backlog, a scoring batch takes
the hourly rollup rows in the same order as an intake so the two cannot deadlock, and an intake or
a scoring batch that a real deadlock makes its victim is rolled back whole and done again once."""

import contextlib
import json
import logging
import threading
from datetime import UTC

import pytest
from django.db import connections
from django.test import Client

from tests.helpers import BRAND_A, bearer, brand_host
from tests.incidents.fixtures_early_warning import mention_row


@pytest.fixture
def committed_key(committed_brand_a):
    from tenants.models import BrandApiKey
    from tenants.services import api_key_create

    key, plain = api_key_create(brand=committed_brand_a, name="concurrency")
    yield plain
    BrandApiKey.objects.filter(pk=key.pk).delete()


def test_two_concurrent_overlapping_requests_store_each_row_once(committed_brand_a, committed_key):
    from incidents.models import Mention

    shared = [mention_row(external_id=f"shared-{i}") for i in range(1500)]
    only_a = [mention_row(external_id=f"a-{i}") for i in range(500)]
    only_b = [mention_row(external_id=f"b-{i}") for i in range(500)]
    # Opposite orders, so without sorted writes the two would lock rows in opposite orders.
    bodies = [json.dumps(shared + only_a), json.dumps(list(reversed(shared)) + only_b)]
    results: list = [None, None]
    start = threading.Barrier(2)

    def post(i: int) -> None:
        try:
            client = Client(HTTP_HOST=brand_host(BRAND_A))
            start.wait()
            response = client.post(
                "/api/v1/mentions/", bodies[i], content_type="application/json", **bearer(committed_key)
            )
            results[i] = (response.status_code, response.json())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r[0] for r in results] == [200, 200], results
    created = sum(r[1]["created"] for r in results)
    updated = sum(r[1]["updated"] for r in results)
    assert created == 2500
    assert updated == 1500
    assert Mention.objects.count() == 2500


def _unscored_mentions(prefix: str, count: int, *, posted_at) -> None:
    """Unscored mentions on x, written directly, not through intake, so no scoring task is queued
    for a running worker."""
    from incidents.models import Mention

    Mention.objects.bulk_create(
        Mention(
            platform="x",
            external_id=f"{prefix}-{i}",
            kind="comment",
            author_handle=f"u{i}",
            text=f"pesanan {i} belum sampai, kecewa",
            posted_at=posted_at,
        )
        for i in range(count)
    )


def test_two_scoring_runs_at_once_share_the_work_without_scoring_a_row_twice(committed_brand_a):
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from incidents.models import Mention
    from incidents.services.intake import mentions_score_batch

    _unscored_mentions("sc", 1200, posted_at=timezone.now())
    counts: list[list[int]] = [[], []]
    start = threading.Barrier(2)

    def score(i: int) -> None:
        try:
            with tenant_context(committed_brand_a):
                start.wait()
                while scored := mentions_score_batch(limit=100):
                    counts[i].append(scored)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=score, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(map(sum, counts)) == 1200  # each row claimed by exactly one run
    assert all(counts), counts  # both runs got work (SKIP LOCKED, not waiting on each other)
    assert not Mention.objects.filter(scored_at__isnull=True).exists()


def test_two_first_saves_of_detector_settings_at_once_both_apply(committed_brand_a):
    from django.db import transaction
    from django_tenants.utils import tenant_context

    from incidents.models import DetectorSettings
    from incidents.services.intake import detector_settings_update

    first_saved = threading.Event()
    errors: list = []

    def first() -> None:
        try:
            with tenant_context(committed_brand_a), transaction.atomic():
                detector_settings_update(spike_min_count=30)
                first_saved.set()
                threading.Event().wait(0.5)  # hold the uncommitted insert while the second arrives
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            first_saved.set()
            connections.close_all()

    def second() -> None:
        try:
            first_saved.wait(10)
            with tenant_context(committed_brand_a):
                detector_settings_update(spike_ratio=4.0)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    saved = DetectorSettings.objects.get()
    assert (saved.spike_min_count, saved.spike_ratio) == (30, 4.0)


def _other_connection_value(sql: str, params: list):
    """One value read through a second connection (outside every test thread's transaction)."""
    other = connections["default"].copy()
    try:
        with other.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            return row[0] if row else None
    finally:
        other.close()


def _wait_until(predicate, what: str, seconds: float = 15) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.02)


def test_scoring_a_batch_while_an_intake_writes_the_same_hours_does_not_deadlock(
    committed_brand_a, monkeypatch, caplog
):
    """A scoring batch writes in chunks, each locking the hourly rollup rows of its mentions; an
    intake statement locks the hours it writes oldest first. The first-claimed rows here were
    posted an hour after the others, and an intake touching both hours arrives after the batch's
    first chunk is written. Chunks in claim order would hold the later hour and wait for the
    earlier one, which the intake holds while waiting for the later one: a deadlock. The batch
    writes its chunks oldest hour first, so the intake only waits for it."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from incidents import scoring
    from incidents.models import Mention
    from incidents.services import intake

    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    late, early = hour - timedelta(minutes=50), hour - timedelta(minutes=110)
    chunk = intake.SCORE_WRITE_CHUNK
    for posted, received in ((late, 20), (early, 10)):  # the later-posted rows were received first
        _unscored_mentions(f"dl-{posted:%H}", chunk, posted_at=posted)
        Mention.objects.filter(posted_at=posted).update(
            received_at=timezone.now() - timedelta(seconds=received)
        )
    errors: list = []
    intake_thread: list[threading.Thread] = []

    def ingest() -> None:
        try:
            with tenant_context(committed_brand_a):
                intake.mentions_ingest(
                    rows=[
                        mention_row(platform="x", posted_at=early.isoformat(), text="kecewa"),
                        mention_row(platform="x", posted_at=late.isoformat(), text="kecewa"),
                    ]
                )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    class Scorer:
        name = "lexicon"
        calls = 0

        def score_batch(self, texts):
            Scorer.calls += 1
            if Scorer.calls == 2:
                # The first chunk's write has updated one of the two rollup rows (its old version
                # carries this transaction's id); then an intake writes both hours and waits.
                xid = _other_connection_value(
                    "SELECT backend_xid::text FROM pg_stat_activity WHERE pid = %s", [pid]
                )
                _wait_until(
                    lambda: _other_connection_value(
                        f"SELECT count(*) FROM {committed_brand_a.schema_name}.incidents_mentionhourly "
                        "WHERE xmax::text = %s",
                        [xid],
                    ),
                    "the first chunk's rollup write",
                )
                thread = threading.Thread(target=ingest)
                intake_thread.append(thread)
                thread.start()
                _wait_until(
                    lambda: _other_connection_value(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> %s",
                        [pid],
                    ),
                    "the intake waits for a lock",
                )
            return scoring.score_batch(texts)

    with connection.cursor():
        pass
    pid = connection.connection.info.backend_pid
    monkeypatch.setattr(intake, "scorer_get", Scorer)
    try:
        with caplog.at_level(logging.WARNING, logger="incidents.services.intake"):
            assert intake.mentions_score_batch(limit=2 * chunk) == 2 * chunk
            for thread in intake_thread:
                thread.join(timeout=30)
    except Exception as exc:  # noqa: BLE001 - reported below with the intake's
        errors.append(exc)
    assert errors == []
    # No deadlock at all: an intake that was its victim would have stored its rows again.
    assert "deadlock's victim" not in caplog.text
    assert Mention.objects.filter(scored_at__isnull=True).count() == 2  # the intake's two rows


@contextlib.contextmanager
def _cycle_closed_after(brand, *, hold, then):
    """While the body runs on this thread's connection: another transaction locks the brand's x
    rollup row of hour `hold`, waits until this connection waits for a lock (for that row), then
    asks for hour `then`'s row, which this connection holds by then: a deadlock. PostgreSQL's
    victim is the side whose deadlock check runs first once the cycle exists: this connection
    checks after 3 s, the other after 30 s, so on a slow machine too the body's side is the victim
    (where the role may not change the setting, both check after the default second). Yields the
    list the other transaction's error goes to."""
    from django.db import connection, transaction
    from django_tenants.utils import tenant_context

    from incidents.models import MentionHourly

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        tunable = cursor.fetchone()[0]
        if tunable:
            cursor.execute("SET deadlock_timeout = '3s'")
    waiter_pid = connection.connection.info.backend_pid
    errors: list = []
    holds = threading.Event()

    def run() -> None:
        try:
            with tenant_context(brand), transaction.atomic():
                if tunable:
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL deadlock_timeout = '30s'")
                rollup = MentionHourly.objects.select_for_update().filter(platform="x")
                list(rollup.filter(hour=hold))
                holds.set()
                _wait_until(
                    lambda: _other_connection_value(
                        "SELECT count(*) FROM pg_stat_activity WHERE pid = %s AND wait_event_type = 'Lock'",
                        [waiter_pid],
                    ),
                    "the other side waits for the held hour",
                )
                list(rollup.filter(hour=then))  # closes the cycle
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            holds.set()
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert holds.wait(timeout=15)
        yield errors
    finally:
        thread.join(timeout=60)
        if tunable:
            with connection.cursor() as cursor:
                cursor.execute("RESET deadlock_timeout")


@pytest.mark.parametrize("in_a_transaction", [False, True], ids=["alone", "inside-the-callers-transaction"])
def test_an_intake_chosen_as_a_deadlocks_victim_stores_its_batch_once_on_retry(
    committed_brand_a, caplog, in_a_transaction
):
    """Another transaction holds the later hour's rollup row and then asks for the earlier one
    while the intake holds it and waits for the later one. PostgreSQL aborts the intake (it waited
    first, so its check finds the cycle first); the intake stores its batch again once the other
    has committed, and the request answers as if nothing happened. Inside a caller's transaction
    (a request with an Idempotency-Key) the retry rolls back to a savepoint, which also releases
    the locks the failed try took."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from incidents.models import Mention, MentionHourly
    from incidents.services.intake import mentions_ingest

    hour = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    early, late = hour - timedelta(hours=2), hour - timedelta(hours=1)
    # The rollup rows of both hours exist (an intake updates them; the other transaction locks them).
    mentions_ingest(
        rows=[
            mention_row(platform="x", posted_at=(early + timedelta(minutes=5)).isoformat()),
            mention_row(platform="x", posted_at=(late + timedelta(minutes=5)).isoformat()),
        ]
    )
    rows = [
        mention_row(platform="x", posted_at=(early + timedelta(minutes=20)).isoformat()),
        mention_row(platform="x", posted_at=(late + timedelta(minutes=20)).isoformat()),
    ]
    outer = transaction.atomic() if in_a_transaction else contextlib.nullcontext()
    with (
        _cycle_closed_after(committed_brand_a, hold=late, then=early) as errors,
        caplog.at_level(logging.WARNING, logger="incidents.services.intake"),
        outer,
    ):
        result = mentions_ingest(rows=rows)

    assert errors == []  # the other transaction was not the victim
    assert "deadlock's victim" in caplog.text  # the intake was, and it tried again
    assert (result.created, result.updated, result.rejected) == (2, 0, 0)
    assert Mention.objects.filter(external_id__in=[r["external_id"] for r in rows]).count() == 2
    assert sum(MentionHourly.objects.filter(platform="x").values_list("total", flat=True)) == 4


def test_a_scoring_batch_chosen_as_a_deadlocks_victim_is_scored_again(committed_brand_a, caplog):
    """The batch's first chunk holds the earlier hour's rollup row and its second waits for the
    later one, held by another transaction that then asks for the earlier one. PostgreSQL aborts
    the batch (it waited first); it rolls back whole and is claimed and scored again once the other
    transaction has committed, each row once."""
    from datetime import timedelta

    from django.utils import timezone

    from incidents.models import Mention, MentionHourly
    from incidents.services import intake

    hour = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    early, late = hour - timedelta(hours=2), hour - timedelta(hours=1)
    chunk = intake.SCORE_WRITE_CHUNK
    _unscored_mentions("early", chunk, posted_at=early + timedelta(minutes=5))
    _unscored_mentions("late", chunk, posted_at=late + timedelta(minutes=5))
    with (
        _cycle_closed_after(committed_brand_a, hold=late, then=early) as errors,
        caplog.at_level(logging.WARNING, logger="incidents.services.intake"),
    ):
        scored = intake.mentions_score_pending()

    assert errors == []  # the other transaction was not the victim
    assert "deadlock's victim" in caplog.text  # the batch was, and it was scored again
    assert scored == 2 * chunk
    assert not Mention.objects.filter(scored_at__isnull=True).exists()
    rollups = MentionHourly.objects.filter(platform="x")
    assert sum(rollups.values_list("total", flat=True)) == 2 * chunk
    assert sum(rollups.values_list("negative", flat=True)) == 2 * chunk
