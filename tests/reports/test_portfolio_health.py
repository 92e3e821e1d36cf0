"""The agency portfolio's brand health row: the per-brand fan-out computes it in the brand's schema
from the brand's incidents, alerts, mentions and survey answers (values checked by hand), writes
it into public, and beat's entry runs on the periodic queue."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

from tests.incidents.fixtures_early_warning import mentions_create

pytestmark = pytest.mark.django_db


def _alert(*, raised_at, key):
    from incidents.models import Alert

    alert = Alert.objects.create(
        detector="negative_spike",
        condition_key=key,
        severity=2,  # SEV2 · High
        title="Lonjakan negatif",
        window_start=raised_at,
        window_end=raised_at,
        last_seen_at=raised_at,
    )
    Alert.objects.filter(pk=alert.pk).update(raised_at=raised_at)  # raised_at is auto_now_add


def _csat_answers(scores_and_ages):
    from surveys.models import Answer, Response
    from tests.surveys.conftest import invite, make_survey

    survey = make_survey(kinds=[{"kind": "csat", "text_en": "Satisfied?", "text_id": "Puas?"}])
    question = survey.questions.get()
    now = timezone.now()
    for n, (score, age) in enumerate(scores_and_ages):
        invitation, _link = invite(survey, email=f"p{n}@example.com")
        response = Response.objects.create(
            survey=survey, invitation=invitation, language="id", submitted_at=now - age
        )
        Answer.objects.create(response=response, question=question, number=score)


def _brand_world(ayu):
    """Hand-countable data in brand A's schema (see the expected figures in the test)."""
    from incidents.models import Incident
    from incidents.services.incidents import incident_open

    now = timezone.now()
    sev1 = incident_open(actor=ayu, title="Kopi basi viral", severity=1)
    sev2a = incident_open(actor=ayu, title="Kasir kasar", severity=2)
    sev2b = incident_open(actor=ayu, title="Promo gagal", severity=2)
    gone = incident_open(actor=ayu, title="Sudah selesai", severity=1)
    incident_open(actor=ayu, title="[DRILL] latihan", severity=1, is_drill=True)
    Incident.objects.filter(pk=sev1.pk).update(status_update_due_at=now + timedelta(minutes=45))
    Incident.objects.filter(pk=sev2a.pk).update(status_update_due_at=now + timedelta(minutes=20))
    Incident.objects.filter(pk=sev2b.pk).update(status_update_due_at=None)
    Incident.objects.filter(pk=gone.pk).update(
        status=Incident.Status.RESOLVED, resolved_at=now, status_update_due_at=now - timedelta(hours=1)
    )
    for hours in (1, 5, 23):
        _alert(raised_at=now - timedelta(hours=hours), key=f"recent-{hours}")
    _alert(raised_at=now - timedelta(hours=30), key="old")
    # Last 24 h: 4 negative (3 unanswered complaints) of 10; the brand's own negative reply is not counted.
    hour = timedelta(hours=1)
    mentions_create(3, at=now - 3 * hour, band="negative", complaint=True, spread=hour)
    mentions_create(1, at=now - hour, band="negative", answered=True, spread=hour)
    mentions_create(6, at=now - 2 * hour, band="positive", answered=True, spread=hour)
    own = mentions_create(1, at=now - hour, band="negative", answered=True)
    type(own[0]).objects.filter(pk=own[0].pk).update(is_own=True)
    # The 7 days before: 2 negative (answered) of 20, one unanswered neutral complaint 3 days ago.
    mentions_create(2, at=now - timedelta(days=3), band="negative", answered=True, spread=hour)
    mentions_create(17, at=now - timedelta(days=4), band="positive", answered=True, spread=hour)
    mentions_create(1, at=now - timedelta(days=3), band="neutral", complaint=True, spread=hour)
    # Older than 8 days: outside both windows and past the unanswered look-back.
    mentions_create(5, at=now - timedelta(days=9), band="negative", spread=hour)
    # CSAT, last 30 days: 5, 4, 4, 2, 1 → three of five are 4–5 = 60 %; the 40-day-old 5 is out.
    day = timedelta(days=1)
    _csat_answers([(5, day), (4, 2 * day), (4, 10 * day), (2, 20 * day), (1, 29 * day), (5, 40 * day)])
    return now


def test_fan_out_computes_the_brand_row_from_the_brands_data(brand_a, ayu):
    from reports.health import brand_health_refresh
    from tenants.models import BrandHealth

    with tenant_context(brand_a):
        now = _brand_world(ayu)
        brand_health_refresh(now=now)
    connection.set_schema_to_public()
    row = BrandHealth.objects.get(brand=brand_a)
    assert (row.open_critical, row.open_high, row.open_medium, row.open_low) == (1, 2, 0, 0)
    assert row.open_incidents == 3 and row.severity_rank == 1_002_000_000
    assert row.alerts_24h == 3
    assert row.mentions_24h == 10
    assert row.negative_share_now == 0.4 and row.negative_share_baseline == 0.1
    assert row.negative_share_change == pytest.approx(0.3)
    assert row.unanswered_complaints == 4  # three today, one three days ago
    assert row.unanswered_overdue == 4  # all older than the brand's response target
    assert row.csat_30d == 60.0 and row.csat_answers_30d == 5
    assert row.next_client_update_at == now + timedelta(minutes=20)
    assert row.computed_at == now


def test_a_brand_without_data_gets_a_row_of_zeros_and_blanks(brand_b):
    from reports.health import brand_health_refresh
    from tenants.models import BrandHealth

    with tenant_context(brand_b):
        brand_health_refresh()
        brand_health_refresh()  # a repeat overwrites, never adds
    row = BrandHealth.objects.get(brand=brand_b)
    assert row.open_incidents == 0 and row.alerts_24h == 0 and row.unanswered_complaints == 0
    assert row.negative_share_now is None and row.negative_share_change is None and row.csat_30d is None
    assert row.next_client_update_at is None
    assert BrandHealth.objects.filter(brand=brand_b).count() == 1


def test_refresh_refuses_to_run_in_public():
    from reports.health import brand_health_refresh

    with pytest.raises(RuntimeError):
        brand_health_refresh()


def test_tick_runs_one_refresh_per_ready_brand_in_its_schema(brand_a, brand_b, monkeypatch):
    from reports import tasks_health
    from tenants.fanout import brands_run_task
    from tenants.models import Brand

    queued = []
    # The chunk messages run at once here; each runs the refresh in its brands' schemas.
    monkeypatch.setattr(brands_run_task, "apply_async", lambda args, queue: brands_run_task.run(*args))
    monkeypatch.setattr(
        tasks_health.brand_health_refresh_task, "run", lambda: queued.append(connection.schema_name)
    )
    assert tasks_health.brand_health_tick_task() == Brand.objects.ready().count()
    assert brand_a.schema_name in queued and brand_b.schema_name in queued
    assert "public" not in queued and settings.TENANT_BASE_SCHEMA not in queued


def test_refresh_task_writes_the_row_of_the_brand_it_runs_in(brand_a):
    from reports.tasks_health import brand_health_refresh_task
    from tenants.models import BrandHealth

    with tenant_context(brand_a):
        brand_health_refresh_task()
    assert BrandHealth.objects.filter(brand=brand_a).exists()


def test_beat_runs_the_tick_every_minute_on_the_periodic_queue():
    from platform.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["brand-health-tick"]
    assert entry["task"] == "reports.brand_health_tick" and entry["schedule"] == 60.0
    assert entry["tenant_schemas"] == ["public"]
    for name in ("reports.brand_health_tick", "reports.brand_health_refresh"):
        assert app.amqp.router.route({}, name, (), {})["queue"].name == "periodic"
