"""A recurring drill through a real Celery worker: the periodic crisis sweep (fanned out from
public) starts the scheduled drill, posts its injects as drill mentions when they are due, once,
and leaves exactly one next occurrence waiting."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from tests.worker import wait_for

pytestmark = pytest.mark.worker


def test_a_recurring_drill_starts_injects_once_and_schedules_its_next_occurrence(
    celery_worker, committed_brand_a
):
    from incidents.models import Drill, DrillScenario, Mention
    from incidents.services.drills import drill_scenario_create
    from incidents.tasks.reminders import crisis_reminders_sweep_all
    from tenants.models import User

    ayu = User.objects.get(email="ayu@example.com")
    start = timezone.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    scenario = drill_scenario_create(
        actor=ayu,
        title="Latihan harian",
        description="Rumor menyebar di X",
        injects=[
            {"after_minutes": 0, "platform": "x", "text": "Katanya kopi ini tidak halal!"},
            {"after_minutes": 20, "platform": "instagram", "text": "Admin kok diam saja?"},
        ],
        recurrence="FREQ=DAILY",
        recurrence_start=start,
    )
    first = Drill.objects.get(scenario=scenario)
    assert first.recurring and first.scheduled_for == start
    # Its time has come: the schedule is moved to have begun a minute ago (the test waits no hour).
    start -= timedelta(hours=1, minutes=1)
    DrillScenario.objects.filter(pk=scenario.pk).update(recurrence_start=start)
    Drill.objects.filter(pk=first.pk).update(scheduled_for=start)

    def sweep_and_wait(predicate, message):
        with schema_context("public"):
            crisis_reminders_sweep_all.delay()
        wait_for(predicate, timeout=60, message=f"{message} (worker log: {celery_worker})")

    sweep_and_wait(
        lambda: (
            Drill.objects.filter(pk=first.pk, state="running").exists()
            and Mention.all_objects.filter(is_drill=True).exists()
        ),
        "the drill to start",
    )
    first.refresh_from_db()
    assert first.incident.is_drill and first.incident.display_number == "D-1"
    assert list(Mention.all_objects.values_list("text", flat=True)) == ["Katanya kopi ini tidak halal!"]

    # Twenty minutes on (the start moved back instead of waiting), the second inject is due.
    Drill.objects.filter(pk=first.pk).update(started_at=first.started_at - timedelta(minutes=25))
    sweep_and_wait(lambda: Mention.all_objects.filter(is_drill=True).count() == 2, "the second inject")
    sweep_and_wait(
        lambda: Drill.objects.filter(pk=first.pk, injects_released=2).exists(), "the sweep to settle"
    )

    assert Mention.all_objects.filter(is_drill=True).count() == 2  # each inject once
    assert not Mention.objects.exists()  # none of them is a real mention
    assert first.incident.mention_links.count() == 2
    waiting = Drill.objects.filter(scenario=scenario, state="scheduled")
    assert waiting.count() == 1 and waiting.get().recurring
    assert waiting.get().scheduled_for == start + timedelta(days=1)

    # The sweep ran in brand B too: nothing of A's drill is there.
    from tenants.models import Brand
    from tests.helpers import BRAND_B

    with schema_context(Brand.objects.get(slug=BRAND_B).schema_name):
        assert not Mention.all_objects.exists() and not Drill.objects.exists()
