"""Two Celery workers on one Redis share one brand's work, and nothing is done twice: a scoring
backlog handed to both (as intake and the periodic tick hand it over) and a batch of invitation
emails are each done exactly once."""

import re

import pytest

from tests.faults import broker_at_fixture, fault_worker_fixture, private_redis_fixture  # noqa: F401
from tests.incidents.fixtures_early_warning import mention_row
from tests.mail_gate import delivered
from tests.surveys.conftest import make_survey
from tests.worker import wait_for

pytestmark = pytest.mark.worker

_SCORED = re.compile(r"mentions_score_task\[[^\]]+\] succeeded in [0-9.e-]+s: (\d+)")


def test_two_workers_share_a_brands_backlog_and_emails_and_do_nothing_twice(
    committed_brand_a, private_redis, broker_at, fault_worker
):
    from incidents.models import Mention
    from incidents.services.intake import SCORE_BATCH_SIZE, mentions_ingest
    from incidents.tasks.sweeps import mentions_score_task
    from surveys.models import Invitation, InvitationEmail
    from surveys.services import invitation_create_batch

    broker_at(private_redis.url)
    total = 4 * SCORE_BATCH_SIZE
    mentions_ingest(rows=[mention_row(text="Kopinya basi, kecewa sekali") for _ in range(total)])
    for _ in range(3):
        mentions_score_task.delay()  # the tick and later intakes hand the same backlog over again
    everyone = sorted(f"w{i:02d}@example.com" for i in range(16))
    invitation_create_batch(survey_id=make_survey().pk, recipients=[{"email": e} for e in everyone])
    workers = [fault_worker(private_redis.url), fault_worker(private_redis.url)]
    for worker in workers:
        worker.start()
    # Both write one log; each says "ready" once it consumes. Starting is slow on a busy machine.
    wait_for(
        lambda: workers[0].tail(1_000_000).count(" ready.") >= 2, timeout=240, message="both workers to start"
    )
    wait_for(
        lambda: (
            not Mention.objects.filter(scored_at__isnull=True).exists()
            and Invitation.objects.filter(outbox_state="done").count() == len(everyone)
        ),
        timeout=120,
        message=f"the backlog and the emails:\n{workers[0].tail()}",
    )
    # Every email once, and the scoring tasks' counts add up to the backlog: a mention claimed by
    # both workers would be counted twice.
    # (The backlog's complaints also raise an alert, whose notifications go to the brand's team.)
    invited = [to for to in delivered(fault_worker.mail_dir) if to in everyone]
    assert sorted(invited) == everyone
    assert InvitationEmail.objects.count() == len(everyone)
    wait_for(
        lambda: sum(map(int, _SCORED.findall(workers[0].tail(1_000_000)))) >= total,
        timeout=20,
        message="the scoring tasks to report",
    )
    assert sum(map(int, _SCORED.findall(workers[0].tail(1_000_000)))) == total
