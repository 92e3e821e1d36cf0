"""Point django-celery-beat rows at the tasks' explicit names.

Until now each task's name was its module path, so a beat row (code-defined or added in the admin)
named e.g. `incidents.tasks.crisis.crisis_reminders_sweep_all`; moving that module would have left
the row pointing at a task no worker knows. Tasks now carry stable `name=`s; this renames the rows
(and back, on reverse)."""

from django.db import migrations

OLD_TO_NEW = {
    "incidents.tasks.early_warning.mentions_score_task": "incidents.mentions_score",
    "incidents.tasks.early_warning.detectors_sweep_task": "incidents.detectors_sweep",
    "incidents.tasks.early_warning.early_warning_tick_task": "incidents.early_warning_tick",
    "incidents.tasks.early_warning.early_warning_brand_tick_task": "incidents.early_warning_brand_tick",
    "incidents.tasks.early_warning.webhook_deliver_task": "incidents.webhook_deliver",
    "incidents.tasks.early_warning.notification_email_task": "incidents.notification_email",
    "incidents.tasks.crisis.crisis_reminders_sweep_all": "incidents.crisis_reminders_sweep_all",
    "incidents.tasks.crisis.crisis_reminders_task": "incidents.crisis_reminders",
    "incidents.tasks.crisis.incident_auto_open_task": "incidents.incident_auto_open",
    "incidents.tasks.crisis.contact_email_task": "incidents.contact_email",
    "surveys.tasks.invitation_send_task": "surveys.invitation_send",
    "surveys.tasks.invitations_send_task": "surveys.invitations_send",
    "surveys.tasks.invitation_remind_task": "surveys.invitation_remind",
    "surveys.tasks.survey_reminders_due_task": "surveys.survey_reminders_due",
    "surveys.tasks.survey_reminders_sweep_task": "surveys.survey_reminders_sweep",
    "tenants.tasks.worker_ping_task": "tenants.worker_ping",
}


def _rename(apps, mapping: dict[str, str]) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    changed = 0
    for old, new in mapping.items():
        changed += PeriodicTask.objects.filter(task=old).update(task=new)
    if changed:
        # A running beat re-reads its schedule only when this marker moves.
        from django.utils import timezone

        PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def forwards(apps, schema_editor):
    _rename(apps, OLD_TO_NEW)


def backwards(apps, schema_editor):
    _rename(apps, {new: old for old, new in OLD_TO_NEW.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0003_sign_in_handoff"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
