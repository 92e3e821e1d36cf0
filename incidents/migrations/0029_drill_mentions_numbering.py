"""Drills post their injects as mentions flagged `is_drill`, recur on a schedule, and number apart.

- `Mention.is_drill`: added with a constant default (no table rewrite). The hourly rollup triggers
  move to a second function that leaves drill rows out as it leaves the brand's own posts out; the
  first function stays for brands whose schema is not migrated yet (it is shared in public, and a
  brand not migrated this far has no `is_drill` column), and each brand's triggers point at the one that
  matches its columns (unapplying points them back).
- Incident numbers: unique per (is_drill, number) instead of unique. Nothing is renumbered: numbers
  already shown in emails, reports and webhooks stay true. Old drills keep the numbers they took
  from the shared counter and now read as D-<n>; the drill counter starts after the highest of
  them, so no drill number is taken twice. The incident counter is set back to the highest real
  incident's number, so drills opened after the last real incident leave no gap before the next
  one (gaps drills made between older real incidents stay: closing them would renumber incidents
  people already know by number)."""

import importlib

from django.conf import settings
from django.db import migrations, models

_ROLLUPS = importlib.import_module("incidents.migrations.0018_mention_rollups")

# The same statement-level rollup, with a drill's rows counted like the brand's own: not at all.
MENTION_FUNCTION_V2 = _ROLLUPS.MENTION_FUNCTION.replace(
    "public.tanggap_mention_rollup()", "public.tanggap_mention_rollup_v2()"
).replace(", is_own, ", ", (is_own OR is_drill) AS is_own, ")
assert MENTION_FUNCTION_V2.count("(is_own OR is_drill)") == 4  # noqa: S101 - every delta branch


def _point_triggers(function: str) -> str:
    return _ROLLUPS._triggers("incidents_mention", function)


def counters_split(apps, schema_editor):
    Incident = apps.get_model("incidents", "Incident")
    CrisisSettings = apps.get_model("incidents", "CrisisSettings")
    if not Incident.objects.exists():
        return
    last_real = Incident.objects.filter(is_drill=False).aggregate(m=models.Max("number"))["m"] or 0
    last_drill = Incident.objects.filter(is_drill=True).aggregate(m=models.Max("number"))["m"] or 0
    CrisisSettings.objects.update_or_create(
        pk=1, defaults={"last_incident_number": last_real, "last_drill_number": last_drill}
    )


def counters_join(apps, schema_editor):
    # One counter again: past both sequences, so no number is allocated twice.
    Incident = apps.get_model("incidents", "Incident")
    CrisisSettings = apps.get_model("incidents", "CrisisSettings")
    highest = Incident.objects.aggregate(m=models.Max("number"))["m"] or 0
    CrisisSettings.objects.filter(pk=1, last_incident_number__lt=highest).update(last_incident_number=highest)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0027_mention_reply_parent_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="crisissettings",
            name="last_drill_number",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="drill",
            name="injects_released",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="drill",
            name="recurring",
            field=models.BooleanField(default=False, editable=False, verbose_name="from the schedule"),
        ),
        migrations.AddField(
            model_name="drillscenario",
            name="recurrence",
            field=models.CharField(
                blank=True,
                help_text="An iCalendar rule, e.g. FREQ=MONTHLY;BYDAY=1TU (every first Tuesday) or FREQ=WEEKLY;INTERVAL=2. At most daily. Empty: the scenario does not recur.",
                max_length=500,
                verbose_name="recurrence",
            ),
        ),
        migrations.AddField(
            model_name="drillscenario",
            name="recurrence_start",
            field=models.DateTimeField(
                blank=True,
                help_text="The first drill of the schedule; later ones keep its time of day in the brand's time zone.",
                null=True,
                verbose_name="recurrence starts",
            ),
        ),
        migrations.AddField(
            model_name="mention",
            name="is_drill",
            field=models.BooleanField(
                db_default=False,
                default=False,
                editable=False,
                help_text="A drill's simulated post: never counted in figures, detectors or reports.",
                verbose_name="drill",
            ),
        ),
        migrations.AlterField(
            model_name="incident",
            name="number",
            field=models.PositiveIntegerField(editable=False, verbose_name="number"),
        ),
        migrations.AddIndex(
            model_name="mention",
            index=models.Index(
                condition=models.Q(("is_drill", True)), fields=["posted_at"], name="mention_drill_posted_at"
            ),
        ),
        migrations.AddConstraint(
            model_name="drill",
            constraint=models.UniqueConstraint(
                condition=models.Q(("recurring", True), ("state", "scheduled")),
                fields=("scenario",),
                name="drill_one_next_occurrence",
            ),
        ),
        migrations.AddConstraint(
            model_name="incident",
            constraint=models.UniqueConstraint(
                fields=("is_drill", "number"), name="incident_number_per_sequence"
            ),
        ),
        migrations.RunPython(counters_split, counters_join),
        migrations.RunSQL(MENTION_FUNCTION_V2, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            _point_triggers("tanggap_mention_rollup_v2"),
            reverse_sql=_point_triggers("tanggap_mention_rollup"),
        ),
    ]
