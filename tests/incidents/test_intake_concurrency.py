"""Two intake requests with overlapping rows, running at the same time on committed data, store
each (platform, external_id) once and report each row as created by exactly one of them."""

import json
import threading

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


def test_two_scoring_runs_at_once_share_the_work_without_scoring_a_row_twice(committed_brand_a):
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from incidents.models import Mention
    from incidents.services.intake import mentions_score_batch

    # Written directly, not through intake, so no scoring task is queued for a running worker.
    Mention.objects.bulk_create(
        Mention(
            platform="x",
            external_id=f"sc-{i}",
            kind="comment",
            author_handle=f"u{i}",
            text=f"pesanan {i} belum sampai",
            posted_at=timezone.now(),
        )
        for i in range(1200)
    )
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
