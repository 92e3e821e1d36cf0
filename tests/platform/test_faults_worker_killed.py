"""Nothing lost, nothing done twice, when a worker is SIGKILLed: in the middle of an email batch
(inside a send), while a webhook request is in flight, and in the middle of scoring. Time that
would pass in production (a lease running out) is set on the rows, never waited for."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.faults import (  # noqa: F401 - fixtures
    broker_at_fixture,
    database_proxy_fixture,
    fault_worker_fixture,
    private_redis_fixture,
    wait_quiet,
)
from tests.incidents.fixtures_early_warning import (  # noqa: F401 - fixtures
    allow_private_webhooks_fixture,
    mention_row,
    webhook_server_fixture,
)
from tests.mail_gate import delivered
from tests.surveys.conftest import make_survey

pytestmark = [pytest.mark.worker, pytest.mark.faults]


def _leases_run_out(model, **filters) -> None:
    model.objects.filter(outbox_state__in=["pending", "sending"], **filters).update(
        outbox_lease_until=timezone.now() - timedelta(seconds=1)
    )


def test_worker_killed_mid_batch_every_invitation_is_emailed_exactly_once(
    committed_brand_a, private_redis, broker_at, fault_worker
):
    from surveys.models import Invitation, InvitationEmail
    from surveys.services import invitation_create_batch
    from tenants.outbox import sweep_current_brand

    broker_at(private_redis.url)
    mail = fault_worker.mail_dir
    first = fault_worker(private_redis.url)
    first.start(TEST_MAIL_HOLD_AFTER="8")
    everyone = sorted(f"k{i:02d}@example.com" for i in range(24))
    invitation_create_batch(survey_id=make_survey().pk, recipients=[{"email": e} for e in everyone])
    wait_quiet(lambda: (mail / "HELD").exists(), timeout=40, message="a send in flight", worker=first)
    first.kill()  # in the middle of the ninth send, before it was delivered
    assert len(delivered(mail)) == 8
    assert Invitation.objects.filter(outbox_state="sending").count() == 1
    (mail / "RELEASE").touch()
    _leases_run_out(Invitation)
    second = fault_worker(private_redis.url)
    second.start()
    # The killed worker's claim is handed over again; the rest are still queued (and handed over
    # again too, which the claim makes harmless).
    assert sweep_current_brand()["survey-invitation-emails"] == 16
    wait_quiet(
        lambda: Invitation.objects.filter(outbox_state="done").count() == 24,
        timeout=40,
        message="every invitation to be sent",
        worker=second,
    )
    assert sorted(delivered(mail)) == everyone  # each exactly once
    assert InvitationEmail.objects.count() == 24


@pytest.mark.usefixtures("allow_private_webhooks")
def test_worker_killed_during_a_webhook_request_each_event_is_received_under_one_delivery_id(
    committed_brand_a, private_redis, broker_at, fault_worker, webhook_server
):
    from incidents.models import WebhookDelivery
    from incidents.services.webhooks import webhook_emit, webhook_subscription_create
    from tenants.outbox import sweep_current_brand

    broker_at(private_redis.url)
    webhook_subscription_create(name="srv", url=webhook_server.url, events=["*"])
    webhook_server.hold_after(4)
    first = fault_worker(private_redis.url)
    first.start()
    for n in range(10):
        webhook_emit(event="ping", payload={"n": n})
    webhook_server.wait_for_requests(5)
    first.kill()  # the receiver has the fifth request; the sender died before the answer
    webhook_server.release()
    in_flight = WebhookDelivery.objects.get(status="sending")
    assert in_flight.attempt_log[-1]["state"] == "started"  # visible although it never finished
    WebhookDelivery.objects.filter(status="sending").update(
        claimed_at=timezone.now() - timedelta(seconds=600)
    )
    second = fault_worker(private_redis.url)
    second.start()
    assert sweep_current_brand()["incident-webhook-deliveries"] == 1
    wait_quiet(
        lambda: WebhookDelivery.objects.filter(status="succeeded").count() == 10,
        timeout=40,
        message="every delivery to succeed",
        worker=second,
    )
    # Standard Webhooks: `webhook-id` carries the delivery id, the same on every attempt.
    ids = [r.header("webhook-id") for r in webhook_server.requests]
    assert all(r.header("webhook-id") == json.loads(r.body)["id"] for r in webhook_server.requests)
    assert sorted(set(ids)) == sorted(str(pk) for pk in WebhookDelivery.objects.values_list("pk", flat=True))
    # At least once on the wire: only the interrupted one came twice, under the same id, so a
    # receiver that drops ids it has seen processes every event once.
    assert len(ids) == 11 and ids.count(str(in_flight.pk)) == 2
    in_flight.refresh_from_db()
    assert [a["state"] for a in in_flight.attempt_log] == ["interrupted", "succeeded"]


def test_worker_killed_mid_scoring_every_mention_is_scored_once(
    committed_brand_a, private_redis, broker_at, fault_worker
):
    from incidents.models import Mention
    from incidents.services.intake import SCORE_BATCH_SIZE, mentions_ingest
    from incidents.tasks.sweeps import mentions_score_task

    broker_at(private_redis.url)
    total = 8 * SCORE_BATCH_SIZE
    for _ in range(8):
        mentions_ingest(
            rows=[mention_row(text="Kopinya basi, kecewa sekali") for _ in range(SCORE_BATCH_SIZE)]
        )
    first = fault_worker(private_redis.url)
    first.start()
    scored = Mention.objects.filter(scored_at__isnull=False)
    wait_quiet(lambda: scored.exists(), timeout=40, message="scoring to start", worker=first)
    first.kill()
    done_before = dict(scored.values_list("pk", "scored_at"))
    assert 0 < len(done_before) < total, "the worker finished before it could be killed"
    assert len(done_before) % SCORE_BATCH_SIZE == 0  # the killed batch rolled back as a whole
    second = fault_worker(private_redis.url)
    second.start()
    mentions_score_task.delay()  # what the periodic pass hands over for leftovers
    wait_quiet(
        lambda: scored.count() == total, timeout=40, message="every mention to be scored", worker=second
    )
    # Nothing scored before the kill was scored again.
    assert dict(Mention.objects.filter(pk__in=done_before).values_list("pk", "scored_at")) == done_before
