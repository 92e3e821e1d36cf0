"""Nothing lost when the broker or the database goes away: a private redis-server stopped while the
API takes intake and invitations, and the database cut away from the worker during a batch. Time
that would pass in production (a lease running out) is set on the rows, never waited for."""

import json
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.faults import (  # noqa: F401 - fixtures
    broker_at_fixture,
    database_proxy_fixture,
    fault_worker_fixture,
    private_redis_fixture,
    wait_quiet,
)
from tests.helpers import BRAND_A, bearer, brand_host
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


def test_broker_stopped_during_intake_and_invitations_nothing_is_lost(
    committed_brand_a, private_redis, broker_at, fault_worker
):
    from incidents.models import Mention
    from surveys.models import Invitation
    from tenants.outbox import sweep_current_brand
    from tenants.services import api_key_create

    broker_at(private_redis.url)
    worker = fault_worker(private_redis.url)
    worker.start()
    key = api_key_create(brand=committed_brand_a, name="faults")[1]
    client = Client(HTTP_HOST=brand_host(BRAND_A))
    survey = make_survey()

    def post(path, data):
        return client.post(path, json.dumps(data), content_type="application/json", **bearer(key))

    def invite(prefix):
        payload = {
            "invitations": [{"email": f"{prefix}{i}@example.com"} for i in range(10)],
            "send_email": True,
        }
        return post(f"/api/v1/surveys/{survey.pk}/invitations/", payload)

    assert invite("up").status_code == 201
    private_redis.stop()
    assert post("/api/v1/mentions/", [mention_row() for _ in range(5)]).status_code == 200
    assert invite("down").status_code == 201
    assert Mention.objects.count() == 5 and Invitation.objects.count() == 20
    private_redis.start()  # empty: whatever it held is gone too
    _leases_run_out(Invitation)
    sweep_current_brand()
    wait_quiet(
        lambda: Invitation.objects.filter(outbox_state="done").count() == 20,
        timeout=40,
        message="every invitation to be sent after the broker came back",
        worker=worker,
    )
    assert sorted(delivered(fault_worker.mail_dir)) == sorted(
        [f"up{i}@example.com" for i in range(10)] + [f"down{i}@example.com" for i in range(10)]
    )


def test_database_cut_during_a_batch_nothing_is_lost_or_sent_twice(
    committed_brand_a, private_redis, broker_at, fault_worker, database_proxy
):
    from surveys.models import Invitation
    from surveys.services import invitation_create_batch

    broker_at(private_redis.url)
    mail = fault_worker.mail_dir
    worker = fault_worker(private_redis.url, database_url=database_proxy.database_url())
    worker.start(TEST_MAIL_HOLD_AFTER="5")
    everyone = sorted(f"db{i:02d}@example.com" for i in range(15))
    invitation_create_batch(survey_id=make_survey().pk, recipients=[{"email": e} for e in everyone])
    wait_quiet(lambda: (mail / "HELD").exists(), timeout=40, message="a send in flight", worker=worker)
    database_proxy.cut()  # the worker's database goes away in the middle of a send
    (mail / "RELEASE").touch()
    wait_quiet(lambda: len(delivered(mail)) == 6, timeout=10, message="the held email", worker=worker)
    time.sleep(2)  # the outage lasts: the worker's record of the send and the next claims fail
    database_proxy.restore()
    wait_quiet(
        lambda: Invitation.objects.filter(outbox_state="done").count() == 15,
        timeout=45,
        message="every invitation to be sent after the database came back",
        worker=worker,
    )
    assert sorted(delivered(mail)) == everyone  # each exactly once
