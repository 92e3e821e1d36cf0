"""A threat escalates within 10 s of the intake commit even while a bulk-scoring backlog waits:
real Celery worker, committed data, 10,000 unscored mentions queued for scoring ahead of it."""

import time

import pytest
from django.db import transaction
from django.utils import timezone

from tests.incidents.fixtures_early_warning import mention_row
from tests.worker import wait_for

pytestmark = pytest.mark.worker

BACKLOG = 10_000
ESCALATION_BOUND_SECONDS = 10


@pytest.fixture
def committed_roster(committed_brand_a):
    from incidents.models import CrisisRole, RosterMember
    from tenants.models import User

    ayu = User.objects.get(email="ayu@example.com")
    RosterMember.objects.create(user=ayu, name="Ayu", role=CrisisRole.CRISIS_MANAGER, email=ayu.email)
    RosterMember.objects.create(
        name="Dewi (legal klien)", role=CrisisRole.LEGAL, email="dewi@klien.example.com"
    )
    return ayu


def test_threat_escalates_at_once_while_a_scoring_backlog_waits(celery_worker, committed_roster):
    from incidents.models import Alert, Mention, Notification
    from incidents.services.intake import MAX_ROWS_PER_REQUEST, mentions_ingest
    from incidents.tasks.sweeps import mentions_score_task

    ayu = committed_roster
    texts = ["Kopinya enak, makasih", "Pesanan sudah sampai", "The latte was great", "Jam buka hari Minggu?"]
    posted = (timezone.now() - timezone.timedelta(minutes=3)).isoformat()
    backlog = [mention_row(text=texts[i % len(texts)], posted_at=posted) for i in range(BACKLOG)]
    # One commit for the whole backlog, its scoring queued at that commit and the threat posted
    # right after: the worker cannot start on the backlog while this process is still writing it
    # (on a loaded machine it had scored half of it before the threat arrived).
    with transaction.atomic():
        for start in range(0, BACKLOG, MAX_ROWS_PER_REQUEST):
            mentions_ingest(rows=backlog[start : start + MAX_ROWS_PER_REQUEST])  # each queues scoring
        for _ in range(3):
            transaction.on_commit(mentions_score_task.delay)  # more bulk scoring ahead of the threat

    threat = mention_row(text="kalo refund gak cair, gue pukulin semua pegawainya")
    mentions_ingest(rows=[threat])
    committed_at = time.monotonic()

    alert = Alert.objects.get(detector=Alert.Detector.THREAT)  # raised in the intake's own commit
    assert alert.severity == Alert.Severity.HIGH
    stored = Mention.objects.get(external_id=threat["external_id"])
    assert stored.is_threat and stored.sentiment_band == "negative"
    # The backlog (and the threat itself, last in line) is still waiting for bulk scoring.
    assert Mention.objects.filter(scored_at__isnull=True).count() > BACKLOG // 2
    assert stored.scored_at is None

    # The crisis manager's email goes out through the worker within the bound.
    wait_for(
        lambda: Notification.objects.filter(
            user_id=ayu.pk, emailed_at__isnull=False, subject__contains="Threat"
        ).exists(),
        timeout=ESCALATION_BOUND_SECONDS - (time.monotonic() - committed_at),
        message=f"the threat email to the crisis manager (worker log: {celery_worker})",
    )
    # Legal, an outside contact, is emailed by the worker too (the console mail backend logs it).
    wait_for(
        lambda: "dewi@klien.example.com" in celery_worker.read_text(),
        timeout=max(1.0, ESCALATION_BOUND_SECONDS - (time.monotonic() - committed_at)),
        message="the threat email to legal",
    )
    # Let the worker finish the backlog, so nothing it writes lands after this test's cleanup.
    wait_for(
        lambda: not Mention.objects.filter(scored_at__isnull=True).exists(),
        timeout=180,
        interval=0.5,
        message="the backlog to be scored",
    )
    assert not Alert.objects.exclude(detector=Alert.Detector.THREAT).exists()
