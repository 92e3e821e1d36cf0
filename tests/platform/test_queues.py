"""Queues by kind: every task has an explicit, stable name and routes to its kind's queue, the beat
schedule (code-defined and admin-defined rows) keeps pointing at registered names after a module
rename, and a real worker started like the README's consumes every queue."""

import importlib
import importlib.util
import json

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from kombu import Connection

from tests.worker import ROOT, wait_for

# The contract: name -> queue. A new task must be added here (and to CELERY_TASK_ROUTES, unless it
# belongs in the default queue) or the first test fails.
EXPECTED_QUEUES = {
    "incidents.mentions_score": "scoring",
    "incidents.detectors_sweep": "scoring",
    "incidents.early_warning_brand_tick": "scoring",
    "incidents.incident_auto_open": "scoring",
    "incidents.review_figures": "scoring",
    "incidents.notification_email": "notifications",
    "incidents.contact_email": "notifications",
    "incidents.review_feedback_digest": "notifications",
    "surveys.invitation_send": "notifications",
    "surveys.invitation_remind": "notifications",
    "surveys.invitations_send": "notifications",
    "reports.delivery_send": "notifications",
    "reports.schedules_due_sweep": "periodic",
    "reports.schedules_due": "periodic",
    "incidents.webhook_deliver": "webhooks",
    "incidents.early_warning_tick": "periodic",
    "incidents.crisis_reminders_sweep_all": "periodic",
    "incidents.crisis_reminders": "periodic",
    "surveys.survey_reminders_sweep": "periodic",
    "surveys.survey_reminders_due": "periodic",
    "tenants.worker_heartbeat": "periodic",
    "tenants.outbox_sweep_all": "periodic",
    "tenants.outbox_sweep": "periodic",
    "tenants.brands_run": "periodic",
    "content.publish_variant": "publishing",
    "content.publish_due": "publishing",
    "content.publish_due_sweep": "periodic",
    "tenants.worker_ping": "celery",
    "tenants.brand_export": "celery",
    "tenants.brands_delete_expired": "periodic",
    "incidents.retention_sweep_all": "periodic",
    "incidents.retention_apply": "periodic",
    "reports.brand_health_tick": "periodic",
    "reports.brand_health_refresh": "periodic",
}


def _app():
    from platform.celery import app

    app.loader.import_default_modules()  # autodiscovery, as the worker does at start
    return app


def _project_task_names(app) -> set[str]:
    # Legacy names registered as aliases (see platform.celery) are not tasks of their own.
    return {name for name, task in app.tasks.items() if not name.startswith("celery.") and task.name == name}


def test_every_project_task_has_an_explicit_name_in_the_routing_contract():
    app = _app()
    names = _project_task_names(app)
    assert names == set(EXPECTED_QUEUES)
    for name in names:
        task = app.tasks[name]
        # An implicit name is the defining module's path plus the function's name.
        assert name != f"{task.__module__}.{task.__name__}", f"{name} has no explicit name="


@pytest.mark.parametrize(("name", "queue"), sorted(EXPECTED_QUEUES.items()))
def test_task_routes_to_its_queue(name, queue):
    route = _app().amqp.router.route({}, name, (), {})
    assert route["queue"].name == queue


def test_publishing_has_its_own_queue_for_content_tasks():
    app = _app()
    assert "publishing" in {q.name for q in app.conf.task_queues}
    assert app.amqp.router.route({}, "content.post_publish", (), {})["queue"].name == "publishing"


def test_an_unrouted_task_goes_to_the_default_queue():
    assert _app().amqp.router.route({}, "someapp.new_task", (), {})["queue"].name == "celery"


def test_a_queued_message_lands_in_its_queue_on_the_broker(tmp_path):
    """Through the real publish path (kombu filesystem transport, which names each message file by
    its queue): one message per task, each in its kind's queue."""
    app = _app()
    folder = tmp_path / "broker"
    folder.mkdir()
    with Connection(
        "filesystem://", transport_options={"data_folder_in": str(folder), "data_folder_out": str(folder)}
    ) as conn:
        for name in EXPECTED_QUEUES:
            app.send_task(name, connection=conn, headers={"_schema_name": "public", "probe": name})
    landed = {}
    for path in folder.glob("*.msg"):
        message = json.loads(path.read_text())
        landed[message["headers"]["probe"]] = path.name.split(".", 1)[1].removesuffix(".msg")
    assert landed == EXPECTED_QUEUES


def test_every_code_defined_beat_entry_names_a_registered_task_on_its_queue():
    app = _app()
    for key, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, key
        if entry["task"] != "tenants.worker_heartbeat":
            assert app.amqp.router.route({}, entry["task"], (), {})["queue"].name == "periodic"
    heartbeat_queues = {
        e["options"]["queue"]
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "tenants.worker_heartbeat"
    }
    assert heartbeat_queues == set(settings.TASK_QUEUES)


# Loading the same source twice is what this test does; Celery rightly warns about it.
@pytest.mark.filterwarnings("ignore::celery.exceptions.DuplicateTaskNameWarning")
def test_a_task_keeps_its_name_when_its_module_is_renamed():
    """Load the reminder tasks' source as if the module had been moved: the tasks keep their names,
    so beat rows and queued messages still find them."""
    app = _app()
    source = ROOT / "incidents" / "tasks" / "reminders.py"
    spec = importlib.util.spec_from_file_location("incidents.tasks.moved_reminders", source)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.crisis_reminders_sweep_all.name == "incidents.crisis_reminders_sweep_all"
    assert "incidents.tasks.moved_reminders.crisis_reminders_sweep_all" not in app.tasks


@pytest.mark.django_db
def test_beat_rows_that_name_the_old_module_paths_are_renamed_by_the_migration():
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    migration = importlib.import_module("tenants.migrations.0004_periodic_task_names")
    every = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.MINUTES)
    code_defined = PeriodicTask.objects.create(
        name="legacy early-warning tick",
        task="incidents.tasks.early_warning.early_warning_tick_task",
        interval=every,
    )
    admin_defined = PeriodicTask.objects.create(
        name="weekly crisis sweep", task="incidents.tasks.crisis.crisis_reminders_sweep_all", interval=every
    )
    unrelated = PeriodicTask.objects.create(name="other", task="someapp.job", interval=every)

    migration.forwards(django_apps, None)

    app = _app()
    for row, name in (
        (code_defined, "incidents.early_warning_tick"),
        (admin_defined, "incidents.crisis_reminders_sweep_all"),
    ):
        row.refresh_from_db()
        assert row.task == name
        assert row.task in app.tasks
        assert app.amqp.router.route({}, row.task, (), {})["queue"].name == "periodic"
    unrelated.refresh_from_db()
    assert unrelated.task == "someapp.job"
    # Every old name maps to a task that exists today.
    assert set(migration.OLD_TO_NEW.values()) <= _project_task_names(app)

    migration.backwards(django_apps, None)
    admin_defined.refresh_from_db()
    assert admin_defined.task == "incidents.tasks.crisis.crisis_reminders_sweep_all"


def test_procfile_worker_consumes_every_queue():
    line = next(line for line in (ROOT / "Procfile").read_text().splitlines() if line.startswith("worker:"))
    queues = line.split(" -Q ", 1)[1].split()[0].split(",")
    assert set(queues) == set(settings.TASK_QUEUES)


@pytest.mark.worker
def test_a_worker_consumes_every_queue_as_beat_sends_heartbeats(committed_db, celery_worker):
    """The test worker is started without -Q, like a development worker: it serves every queue."""
    from django.utils import timezone

    from tenants.models import Heartbeat
    from tenants.tasks import worker_heartbeat_task

    started = timezone.now()
    for queue in settings.TASK_QUEUES:
        worker_heartbeat_task.apply_async(args=[queue], queue=queue)
    wait_for(
        lambda: Heartbeat.objects.filter(seen_at__gte=started).count() == len(settings.TASK_QUEUES),
        timeout=60,
        message="a heartbeat from every queue",
    )
    assert set(Heartbeat.objects.filter(seen_at__gte=started).values_list("name", flat=True)) == {
        f"worker:{q}" for q in settings.TASK_QUEUES
    }


def test_redis_visibility_timeout_is_above_the_longest_task_time_limit():
    """With acks_late, Redis hands an unacknowledged task to another worker after the visibility
    timeout: below the longest task, a slow task would run twice at once."""
    app = _app()
    limits = {name: app.tasks[name].time_limit or settings.CELERY_TASK_TIME_LIMIT for name in EXPECTED_QUEUES}
    assert max(limits.values()) <= settings.CELERY_TASK_TIME_LIMIT, limits
    assert settings.BROKER_VISIBILITY_TIMEOUT > settings.CELERY_TASK_TIME_LIMIT


@pytest.mark.worker
def test_a_message_queued_under_a_pre_rename_task_name_still_runs(committed_brand_a, celery_worker):
    """A message published before the upgrade names the task by its old module path."""
    import uuid

    from django_tenants.utils import schema_context

    from platform.celery import LEGACY_TASK_NAMES
    from tenants.models import WorkerPing

    migration = importlib.import_module("tenants.migrations.0004_periodic_task_names")
    assert migration.OLD_TO_NEW == LEGACY_TASK_NAMES  # the migration's frozen copy agrees
    token = uuid.uuid4().hex
    _app().send_task("tenants.tasks.worker_ping_task", args=[token])  # in brand A (the fixture)
    with schema_context("public"):
        ping = wait_for(
            lambda: WorkerPing.objects.filter(token=token).first(), timeout=60, message="the ping"
        )
    assert ping.schema_name == committed_brand_a.schema_name
