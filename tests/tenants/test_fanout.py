"""Beat's per-brand fan-out (tenants.fanout): a tick queues a few chunk messages, on the brand
task's own queue, that together cover every ready brand once; a chunk runs the brand task in each
brand's schema and time zone; a brand that fails gets its own task and the others still run."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import tenant_context

from tenants.fanout import brands_run_task
from tests.worker import wait_for


def _captured(monkeypatch, task) -> list[tuple]:
    sent = []
    monkeypatch.setattr(
        task,
        "apply_async",
        lambda args=None, queue=None, **kw: sent.append((connection.schema_name, args, queue)),
    )
    return sent


@pytest.mark.django_db
def test_a_tick_queues_chunks_on_the_brand_tasks_queue_covering_every_ready_brand_once(
    brand_a, brand_b, monkeypatch
):
    from incidents.tasks.sweeps import early_warning_brand_tick_task, early_warning_tick_task
    from tenants.models import Brand
    from tenants.services import brand_create

    third = brand_create(agency=brand_a.agency, slug="pecel", name="Pecel")
    sent = _captured(monkeypatch, brands_run_task)
    ready = set(Brand.objects.ready().values_list("schema_name", flat=True))
    assert len(ready) >= 3
    with override_settings(FAN_OUT_BRANDS_PER_TASK=len(ready) - 1):
        assert early_warning_tick_task() == len(ready)
    assert len(sent) == 2  # two chunks, not a message per brand
    covered = [schema for _public, (name, schemas, args), _queue in sent for schema in schemas]
    assert sorted(covered) == sorted(ready)  # each ready brand once
    assert {brand_a.schema_name, brand_b.schema_name, third.schema_name} <= set(covered)
    assert settings.TENANT_BASE_SCHEMA not in covered
    for public, (name, _schemas, args), queue in sent:
        assert (public, name, args, queue) == ("public", early_warning_brand_tick_task.name, [], "scoring")

    Brand.objects.filter(pk=third.pk).update(ready=False)
    sent.clear()
    early_warning_tick_task()
    assert third.schema_name not in [schema for _p, (_n, schemas, _a), _q in sent for schema in schemas]


@pytest.mark.django_db
def test_a_chunk_runs_the_brand_task_in_each_brands_schema_and_zone(brand_a, brand_b, monkeypatch):
    from tenants.models import Brand
    from tenants.tasks import outbox_sweep_task

    Brand.objects.filter(pk=brand_b.pk).update(timezone="Asia/Makassar")
    ran = []
    monkeypatch.setattr(
        outbox_sweep_task,
        "run",
        lambda: ran.append((connection.schema_name, str(timezone.get_current_timezone()))),
    )
    done = brands_run_task.run(
        outbox_sweep_task.name, [brand_b.schema_name, brand_a.schema_name, "brand_gone"]
    )
    assert done == 2
    assert dict(ran) == {brand_b.schema_name: "Asia/Makassar", brand_a.schema_name: brand_a.timezone}
    assert connection.schema_name == "public"


@pytest.mark.django_db
def test_a_failing_brand_gets_its_own_task_and_the_others_still_run(brand_a, brand_b, monkeypatch):
    from tenants.tasks import outbox_sweep_task

    ran = []

    def body():
        if connection.schema_name == brand_a.schema_name:
            raise RuntimeError("brand A's sweep broke")
        ran.append(connection.schema_name)

    monkeypatch.setattr(outbox_sweep_task, "run", body)
    own = _captured(monkeypatch, outbox_sweep_task)
    done = brands_run_task.run(outbox_sweep_task.name, [brand_a.schema_name, brand_b.schema_name])
    assert done == 1 and ran == [brand_b.schema_name]
    # Queued in brand A's schema, so it runs there, with the task's own retries.
    assert own == [(brand_a.schema_name, [], None)]


@pytest.mark.django_db
def test_arguments_reach_the_brand_task_and_one_brand_per_message_sends_the_task_itself(
    brand_a, brand_b, monkeypatch
):
    from incidents.tasks.retention import retention_apply_task, retention_sweep_all
    from surveys.tasks import survey_reminders_due_task, survey_reminders_sweep_task
    from tenants.models import Brand

    chunks = _captured(monkeypatch, brands_run_task)
    survey_reminders_sweep_task(after_days=2.5)
    assert chunks and all(
        (name, extra) == (survey_reminders_due_task.name, [2.5]) for _s, (name, _schemas, extra), _q in chunks
    )

    own = []
    monkeypatch.setattr(retention_apply_task, "delay", lambda: own.append(connection.schema_name))
    assert retention_sweep_all() == Brand.objects.ready().count()
    assert {brand_a.schema_name, brand_b.schema_name} <= set(own)


@pytest.mark.usefixtures("celery_worker")
def test_a_real_worker_runs_the_early_warning_tick_in_every_brand(committed_db):
    """Through the broker: beat's tick in public reaches both brands, whose unscored mentions
    (left by an intake whose scoring message was lost) are scored by it."""
    from incidents.models import Mention
    from incidents.tasks.sweeps import early_warning_tick_task
    from tenants.models import Brand
    from tests.helpers import BRAND_A, BRAND_B
    from tests.incidents.fixtures_early_warning import mention_row

    brands = [Brand.objects.get(slug=BRAND_A), Brand.objects.get(slug=BRAND_B)]
    for n, brand in enumerate(brands):
        with tenant_context(brand):
            row = mention_row(text=f"kopinya basi dan pelayanannya buruk sekali {n}")
            Mention.objects.create(
                platform=row["platform"],
                external_id=row["external_id"],
                author_handle=row["author_handle"],
                text=row["text"],
                posted_at=row["posted_at"],
            )
    connection.set_schema_to_public()
    early_warning_tick_task.delay()

    def scored_everywhere():
        for brand in brands:
            with tenant_context(brand):
                if Mention.objects.filter(scored_at__isnull=True).exists():
                    return False
        return True

    wait_for(scored_everywhere, timeout=30, message="the tick to score both brands' mentions")
    for brand in brands:
        with tenant_context(brand):
            assert Mention.objects.get().sentiment_band == "negative"
