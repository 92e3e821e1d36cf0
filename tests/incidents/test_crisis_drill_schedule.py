"""Drills number apart (D-1, D-2, …) so real incidents keep a gap-free sequence, and a scenario may
recur on an iCalendar rule read in the brand's time zone, with one next drill waiting at a time."""

import importlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from tenants.errors import DomainError
from tenants.models import User
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db


# --- Numbering ------------------------------------------------------------------------------------
def test_drills_take_their_own_numbers_and_real_incidents_have_no_gaps(in_brand_a, ayu):
    from incidents.models import CrisisSettings
    from incidents.services.incidents import incident_open

    first = incident_open(actor=ayu, title="Kopi basi")
    drill = incident_open(actor=ayu, title="[DRILL] latihan", is_drill=True)
    second = incident_open(actor=ayu, title="Kasir kasar")
    drill_two = incident_open(actor=ayu, title="[DRILL] latihan 2", is_drill=True)
    assert (first.number, second.number) == (1, 2)
    assert (drill.number, drill_two.number) == (1, 2)
    assert (first.display_number, drill.display_number, drill_two.display_number) == ("#1", "D-1", "D-2")
    assert str(drill) == "D-1 [DRILL] latihan"
    assert drill.timeline.first().text.startswith("Opened D-1 ")
    settings = CrisisSettings.objects.get()
    assert (settings.last_incident_number, settings.last_drill_number) == (2, 2)


def test_the_migration_keeps_old_numbers_and_closes_the_trailing_gap(in_brand_a, ayu):
    """Old data: one counter for both. Numbers stay; the next real incident follows the last real
    one; the next drill follows the highest number an old drill took."""
    from django.apps import apps

    from incidents.models import CrisisSettings, Incident
    from incidents.services.incidents import incident_open

    migration = importlib.import_module("incidents.migrations.0029_drill_mentions_numbering")
    for number, is_drill in ((1, False), (2, True), (3, False), (4, True), (5, True)):
        Incident.objects.create(number=number, title=f"lama {number}", is_drill=is_drill)
    CrisisSettings.objects.update_or_create(pk=1, defaults={"last_incident_number": 5})
    migration.counters_split(apps, None)
    assert sorted(Incident.objects.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert incident_open(actor=ayu, title="Baru").number == 4  # not 6: no gap after #3
    assert incident_open(actor=ayu, title="[DRILL] baru", is_drill=True).display_number == "D-6"


def test_the_api_and_the_admin_show_drill_numbers_apart(in_brand_a, client_a, ayu):
    from incidents.services.incidents import incident_open

    real = incident_open(actor=ayu, title="Kopi basi")
    drill = incident_open(actor=ayu, title="[DRILL] latihan", is_drill=True)
    client_a.login_as(ayu)
    assert client_a.get(f"/api/v1/incidents/{drill.pk}/").json()["display_number"] == "D-1"
    assert client_a.get(f"/api/v1/incidents/{real.pk}/").json()["display_number"] == "#1"
    listing = client_a.get("/admin/incidents/incident/").content.decode()
    assert "D-1" in listing and "#1" in listing


def test_attaching_alerts_by_number_finds_the_incident_not_the_drill(in_brand_a, client_a, ayu):
    from incidents.models import Alert
    from incidents.services.incidents import incident_open

    drill = incident_open(actor=ayu, title="[DRILL] latihan", is_drill=True)
    real = incident_open(actor=ayu, title="Kopi basi")
    assert drill.number == real.number == 1
    alert = make_alert()  # noqa: F405
    client_a.login_as(ayu).post(
        "/admin/incidents/alert/",
        {"action": "attach_alerts", "_selected_action": [alert.pk], "incident_number": "1"},
    )
    assert Alert.objects.get(pk=alert.pk).incident_id == real.pk


# --- Recurrence -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "rule, start, field",
    [
        ("FREQ=SOMETIMES", True, "recurrence"),
        ("FREQ=HOURLY", True, "recurrence"),
        ("DTSTART:20260101T100000\nRRULE:FREQ=DAILY", True, "recurrence"),
        ("FREQ=WEEKLY", False, "recurrence_start"),
    ],
)
def test_a_bad_recurrence_is_a_field_error_and_writes_nothing(in_brand_a, ayu, rule, start, field):
    from incidents.models import Drill, DrillScenario
    from incidents.services.drills import drill_scenario_create

    with pytest.raises(DomainError) as error:
        drill_scenario_create(
            actor=ayu,
            title="Latihan",
            description="Skenario",
            recurrence=rule,
            recurrence_start=timezone.now() if start else None,
        )
    assert field in error.value.field_errors
    assert not DrillScenario.objects.exists() and not Drill.objects.exists()


def test_bad_injects_are_a_field_error(in_brand_a, ayu):
    from incidents.services.drills import drill_scenario_create

    for injects in (
        [{"after_minutes": -1, "platform": "x", "text": "a"}],
        [{"after_minutes": 5, "platform": "myspace", "text": "a"}],
        [{"after_minutes": "5", "platform": "x", "text": "a"}],
        {"text": "a"},
    ):
        with pytest.raises(DomainError) as error:
            drill_scenario_create(actor=ayu, title="Latihan", description="Skenario", injects=injects)
        assert "injects" in error.value.field_errors


def test_a_recurrence_keeps_the_wall_clock_time_across_daylight_saving(in_brand_a, ayu, monkeypatch):
    from incidents.models import DrillScenario
    from incidents.services.drills import recurrence_next

    monkeypatch.setattr(connection.tenant, "timezone", "Europe/Amsterdam")
    amsterdam = ZoneInfo("Europe/Amsterdam")
    scenario = DrillScenario(
        title="t",
        description="d",
        recurrence="FREQ=WEEKLY;BYDAY=TU",
        recurrence_start=datetime(2026, 3, 17, 10, 0, tzinfo=amsterdam),  # CET, UTC+1
    )
    before = recurrence_next(scenario, after=datetime(2026, 3, 20, tzinfo=UTC))
    after = recurrence_next(scenario, after=datetime(2026, 3, 27, tzinfo=UTC))  # DST starts on the 29th
    assert before == datetime(2026, 3, 24, 9, 0, tzinfo=UTC)
    assert after == datetime(2026, 3, 31, 8, 0, tzinfo=UTC)  # CEST, UTC+2: still 10:00 on the clock
    assert after.astimezone(amsterdam).hour == 10


def test_one_next_drill_waits_however_often_the_sweep_runs(in_brand_a, ayu):
    from incidents.models import Drill
    from incidents.services.drills import drill_scenario_create, drills_start_due

    now = timezone.now().replace(second=0, microsecond=0)
    scenario = drill_scenario_create(
        actor=ayu,
        title="Latihan mingguan",
        description="Skenario",
        injects=[{"after_minutes": 0, "platform": "x", "text": "Katanya kopi ini basi!"}],
        recurrence="FREQ=WEEKLY",
        recurrence_start=now + timedelta(hours=1),
    )
    waiting = Drill.objects.get(scenario=scenario)
    assert waiting.recurring and waiting.scheduled_for == now + timedelta(hours=1)
    assert drills_start_due(now=now) == 0
    assert drills_start_due(now=now) == 0
    assert Drill.objects.filter(scenario=scenario).count() == 1

    later = now + timedelta(hours=2)
    assert drills_start_due(now=later) == 1
    assert drills_start_due(now=later) == 0
    drills = list(Drill.objects.filter(scenario=scenario).order_by("scheduled_for"))
    assert [d.state for d in drills] == ["running", "scheduled"]
    assert drills[1].scheduled_for == now + timedelta(days=7, hours=1)
    assert drills[0].incident.display_number == "D-1"


def test_changing_the_rule_replaces_the_waiting_drill_and_ending_it_removes_it(in_brand_a, ayu):
    from incidents.models import Drill
    from incidents.services.drills import drill_scenario_create, drill_scenario_recurrence_set

    start = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1)
    scenario = drill_scenario_create(
        actor=ayu, title="Latihan", description="Skenario", recurrence="FREQ=WEEKLY", recurrence_start=start
    )
    drill_scenario_recurrence_set(
        actor=ayu,
        scenario_id=scenario.pk,
        recurrence="FREQ=DAILY",
        recurrence_start=start + timedelta(hours=3),
    )
    assert list(Drill.objects.values_list("scheduled_for", flat=True)) == [start + timedelta(hours=3)]
    drill_scenario_recurrence_set(actor=ayu, scenario_id=scenario.pk, recurrence="", recurrence_start=None)
    assert not Drill.objects.exists()
    scenario.refresh_from_db()
    assert scenario.recurrence == "" and scenario.recurrence_start is None


def test_the_admin_edits_the_schedule_and_lists_the_next_drill(in_brand_a, client_a, ayu):
    from incidents.models import Drill
    from incidents.services.drills import drill_scenario_create

    scenario = drill_scenario_create(actor=ayu, title="Latihan kuartalan", description="Skenario")
    client_a.login_as(ayu)
    url = f"/admin/incidents/drillscenario/{scenario.pk}/change/"
    refused = client_a.post(
        url, {"recurrence": "FREQ=NEVER", "recurrence_start_0": "2030-01-07", "recurrence_start_1": "10:00"}
    )
    assert refused.status_code == 200 and "Not a valid RRULE" in refused.content.decode()
    assert not Drill.objects.exists()
    saved = client_a.post(
        url,
        {
            "recurrence": "FREQ=MONTHLY;BYDAY=1TU",
            "recurrence_start_0": "2030-01-01",
            "recurrence_start_1": "10:00",
        },
    )
    assert saved.status_code == 302
    waiting = Drill.objects.get(scenario=scenario)
    local = timezone.localtime(waiting.scheduled_for, ZoneInfo(in_brand_a.timezone))
    assert (local.year, local.month, local.day, local.hour) == (2030, 1, 1, 10)
    listing = client_a.get("/admin/incidents/drillscenario/").content.decode()
    assert "FREQ=MONTHLY;BYDAY=1TU" in listing and "2030-01-01 10:00" in listing


def test_brand_b_cannot_reach_brand_a_scenarios_or_drills(in_brand_a, client_b, citra, ayu):
    from incidents.services.drills import drill_scenario_create

    scenario = drill_scenario_create(
        actor=ayu,
        title="Latihan",
        description="Skenario",
        recurrence="FREQ=WEEKLY",
        recurrence_start=timezone.now() + timedelta(days=1),
    )
    client_b.login_as(citra)
    assert client_b.get(f"/admin/incidents/drillscenario/{scenario.pk}/change/").status_code in (302, 404)
    assert "Latihan" not in client_b.get("/admin/incidents/drillscenario/").content.decode()


# --- Demo -----------------------------------------------------------------------------------------
def test_the_demo_drill_is_finished_with_its_drill_mentions_and_a_schedule(in_brand_a, guidelines):
    from incidents.demo_drills import INJECTS, drills_demo_story
    from incidents.models import Drill, Mention, ModerationAction, Response
    from tenants.services import grant_set

    User.objects.create_user("ayu@suara.test", "x", name="Ayu")
    grant_set(email="ayu@suara.test", brand_slug=in_brand_a.slug, role="crisis_manager")
    said = drills_demo_story()
    assert drills_demo_story() == "already there"
    finished = Drill.objects.get(state="finished")
    assert finished.incident.display_number in said and "next drill" in said
    assert Mention.all_objects.filter(is_drill=True).count() == len(INJECTS)
    assert not Mention.objects.exists()
    assert Response.objects.get(mention__is_drill=True).state == "sent"
    assert ModerationAction.objects.get().external_ref == "drill"
    waiting = Drill.objects.get(state="scheduled")
    assert waiting.recurring and waiting.scheduled_for > timezone.now()
