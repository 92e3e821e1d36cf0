"""Intake coalesces scoring: however many intake requests commit, at most one scoring message per
brand waits in the queue; the task still scores every row, and the detectors still run after it."""

import json
from contextlib import contextmanager
from datetime import timedelta

import pytest
from celery.signals import before_task_publish
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.helpers import BRAND_A, bearer, brand_host
from tests.incidents.fixtures_early_warning import mention_row
from tests.worker import wait_for


@contextmanager
def published_messages():
    """Every message this process hands to the broker, as (task name, brand schema)."""
    sent: list[tuple[str, str]] = []

    def record(sender=None, headers=None, **kwargs):
        sent.append((sender, (headers or {}).get("_schema_name")))

    before_task_publish.connect(record, weak=False)
    try:
        yield sent
    finally:
        before_task_publish.disconnect(record)


def _post(client, key, rows):
    return client.post("/api/v1/mentions/", json.dumps(rows), content_type="application/json", **bearer(key))


@pytest.mark.django_db
def test_fifty_intake_requests_queue_one_scoring_message_per_brand_while_it_is_pending(
    client_a, client_b, api_key_a, api_key_b, brand_a, brand_b, django_capture_on_commit_callbacks
):
    from incidents.models import Mention
    from incidents.tasks.sweeps import mentions_score_task

    with published_messages() as sent:
        for i in range(50):
            with django_capture_on_commit_callbacks(execute=True):
                assert _post(client_a, api_key_a, [mention_row(text=f"kopinya basi {i}")]).status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            assert _post(client_b, api_key_b, [mention_row()]).status_code == 200
    scoring = [schema for name, schema in sent if name == "incidents.mentions_score"]
    assert sorted(scoring) == sorted([brand_a.schema_name, brand_b.schema_name])

    with tenant_context(brand_a):
        assert mentions_score_task.apply().get() == 50  # the one task scores every row
        assert not Mention.objects.filter(scored_at__isnull=True).exists()

    # Once the task has started, the next intake queues a new one.
    with published_messages() as sent:
        with django_capture_on_commit_callbacks(execute=True):
            _post(client_a, api_key_a, [mention_row()])
    assert [name for name, _ in sent] == ["incidents.mentions_score"]


@pytest.mark.django_db
def test_scoring_that_scored_rows_asks_for_one_detector_sweep(in_brand_a, django_capture_on_commit_callbacks):
    from incidents.services.intake import mentions_ingest
    from incidents.tasks.sweeps import mentions_score_task

    with django_capture_on_commit_callbacks(execute=False):
        mentions_ingest(rows=[mention_row() for _ in range(3)])
    with published_messages() as sent:
        assert mentions_score_task.apply().get() == 3
        assert mentions_score_task.apply().get() == 0  # nothing left: no sweep asked for
    assert [name for name, _ in sent] == ["incidents.detectors_sweep"]


@pytest.mark.django_db
def test_a_backlog_longer_than_one_task_asks_for_another_scoring_task(
    in_brand_a, django_capture_on_commit_callbacks
):
    from incidents.models import Mention
    from incidents.services.intake import SCORE_BATCH_SIZE, mentions_ingest, mentions_score_pending

    with django_capture_on_commit_callbacks(execute=False):
        mentions_ingest(rows=[mention_row() for _ in range(SCORE_BATCH_SIZE + 1)])
    with published_messages() as sent:
        assert mentions_score_pending(max_batches=1) == SCORE_BATCH_SIZE
    assert [name for name, _ in sent] == ["incidents.mentions_score"]  # the rest is not left to the tick
    with published_messages() as sent:
        assert mentions_score_pending(max_batches=2) == 1
    assert sent == []  # the backlog ended inside the task: nothing more to ask for
    assert not Mention.objects.filter(scored_at__isnull=True).exists()


@pytest.mark.django_db
def test_metrics_intake_coalesces_detector_sweeps(client_a, api_key_a, django_capture_on_commit_callbacks):
    with published_messages() as sent:
        for i in range(5):
            with django_capture_on_commit_callbacks(execute=True):
                response = client_a.post(
                    "/api/v1/metrics/",
                    json.dumps(
                        [
                            {
                                "platform": "instagram",
                                "measured_at": (timezone.now() - timedelta(minutes=i)).isoformat(),
                                "followers": 1000,
                            }
                        ]
                    ),
                    content_type="application/json",
                    **bearer(api_key_a),
                )
                assert response.status_code == 200, response.content
    assert [name for name, _ in sent] == ["incidents.detectors_sweep"]


@pytest.mark.django_db
def test_a_claim_older_than_the_lease_is_taken_again(in_brand_a):
    """A message the broker lost would otherwise block scoring for this brand for good."""
    from incidents.models import SweepRequest
    from incidents.services.sweeps import CLAIM_LEASE, sweep_request_claim

    assert sweep_request_claim(kind="scoring") is True
    assert sweep_request_claim(kind="scoring") is False
    SweepRequest.objects.filter(kind="scoring").update(
        queued_at=timezone.now() - CLAIM_LEASE - timedelta(seconds=5)
    )
    assert sweep_request_claim(kind="scoring") is True


@pytest.mark.django_db
def test_a_failed_publish_releases_the_claim_and_never_raises(in_brand_a, monkeypatch):
    from kombu.exceptions import OperationalError

    from incidents.services.sweeps import mentions_scoring_request, sweep_request_claim
    from incidents.tasks.sweeps import mentions_score_task

    def broker_down(*args, **kwargs):
        raise OperationalError("broker down")

    monkeypatch.setattr(mentions_score_task, "delay", broker_down)
    # It runs after the intake committed: a broker failure must not turn stored rows into a 500.
    assert mentions_scoring_request() is False
    assert sweep_request_claim(kind="scoring") is True  # nobody is left holding it


@pytest.mark.django_db
def test_the_claim_is_per_brand(in_brand_a, brand_b):
    from incidents.services.sweeps import sweep_request_claim

    assert sweep_request_claim(kind="scoring") is True
    with tenant_context(brand_b):
        assert sweep_request_claim(kind="scoring") is True
        assert sweep_request_claim(kind="scoring") is False


@pytest.mark.worker
def test_coalesced_scoring_on_a_real_worker_scores_every_row_and_raises_the_rumour(
    committed_brand_a, celery_worker
):
    from incidents.models import Alert, Mention
    from tenants.models import BrandApiKey
    from tenants.services import api_key_create

    key, plain = api_key_create(brand=committed_brand_a, name="coalescing test")
    client = Client(HTTP_HOST=brand_host(BRAND_A))
    try:
        for i in range(50):
            row = mention_row(
                text=f"katanya kopi nusantara pakai biji kopi basi dari gudang bekas banjir {i % 7}",
                author_handle=f"@spreader{i}",
            )
            assert _post(client, plain, [row]).status_code == 200
        wait_for(
            lambda: (
                Mention.objects.count() == 50 and not Mention.objects.filter(scored_at__isnull=True).exists()
            ),
            timeout=60,
            message="every mention to be scored",
        )
        # Raised (and, at this severity, possibly already turned into an incident).
        wait_for(
            lambda: Alert.objects.filter(detector="rumour").exists(), timeout=60, message="the rumour alert"
        )
    finally:
        BrandApiKey.objects.filter(pk=key.pk).delete()
