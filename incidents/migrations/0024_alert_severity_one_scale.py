"""Alerts move to the incidents' severity scale (tenants/severity.py: 1 = SEV1 critical … 4 = SEV4
low, lower is worse). Alerts counted the other way (1 low … 4 critical), so every stored alert
severity becomes 5 - old; the flip is its own inverse, so going back runs it again.

Other stored numbers that held an alert severity:
- webhook deliveries of `alert.*` events not yet delivered (pending, sending, failed: they may
  still be sent, by a retry or by staff) get the new number and its label, so nothing sent after
  the upgrade speaks the old scale; delivered ones stay as they were sent (the delivery log).
- timeline entries name an alert's severity only in their text (a label, "Critical"), never as a
  number; notifications keep the label's message id (still translated). Neither changes.
- the brand's auto-open threshold (`CrisisSettings.auto_open_max_severity`) was already on the
  incidents' scale (alerts were translated before the comparison), as were the content hold's
  severity and every report and portfolio figure: unchanged.
"""

from django.db import migrations, models

NEW_LABELS = {1: "SEV1 · Critical", 2: "SEV2 · High", 3: "SEV3 · Medium", 4: "SEV4 · Low"}
OLD_LABELS = {1: "Low", 2: "Medium", 3: "High", 4: "Critical"}

FLIP_ALERTS = "UPDATE incidents_alert SET severity = 5 - severity WHERE severity BETWEEN 1 AND 4"


def _flip_deliveries(labels: dict[int, str]) -> str:
    """Flip the severity of undelivered alert events and name it with `labels` (of the scale the
    numbers are flipped into)."""
    cases = " ".join(f"WHEN {value} THEN to_jsonb('{label}'::text)" for value, label in labels.items())
    return f"""
        UPDATE incidents_webhookdelivery
        SET payload = jsonb_set(payload, '{{severity}}', to_jsonb(5 - (payload->>'severity')::int))
            || CASE WHEN payload->'severity_label' IS NOT NULL
                    THEN jsonb_build_object('severity_label', CASE 5 - (payload->>'severity')::int {cases} END)
                    ELSE '{{}}'::jsonb END
        WHERE left(event, 6) = 'alert.'
          AND status <> 'succeeded'
          AND jsonb_typeof(payload->'severity') = 'number'
          AND payload->>'severity' IN ('1', '2', '3', '4')
    """  # noqa: S608 (built from the constants above, no input)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0023_review_client_sign_off"),
    ]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="severity",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "SEV1 · Critical"), (2, "SEV2 · High"), (3, "SEV3 · Medium"), (4, "SEV4 · Low")],
                help_text="1 = SEV1 · Critical, 2 = SEV2 · High, 3 = SEV3 · Medium, 4 = SEV4 · Low; lower is worse.",
                verbose_name="severity",
            ),
        ),
        # Incidents keep their numbers; their help text now states the scale first.
        migrations.AlterField(
            model_name="incident",
            name="severity",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "SEV1 · Critical"), (2, "SEV2 · High"), (3, "SEV3 · Medium"), (4, "SEV4 · Low")],
                default=3,
                help_text=(
                    "1 = SEV1 · Critical, 2 = SEV2 · High, 3 = SEV3 · Medium, 4 = SEV4 · Low; lower is worse. "
                    "SEV1 · Critical: Safety, health or legal exposure, or national media and trending topics; "
                    "the brand's licence to operate is at stake. Team assembled within the hour, client updates "
                    "every 2 hours. SEV2 · High: Spreading beyond the brand's own followers, or a product/service "
                    "failure hitting many customers. First public response within 4 hours, client updates every "
                    "4 hours. SEV3 · Medium: A clear rise in complaints or a rumour on one platform, still inside "
                    "the brand's own audience. Answer within the working day, client update daily. SEV4 · Low: "
                    "A handful of complaints or one influential post. Watch, answer as usual, no client updates "
                    "on a cadence."
                ),
                verbose_name="severity",
            ),
        ),
        migrations.RunSQL(FLIP_ALERTS, reverse_sql=FLIP_ALERTS),
        migrations.RunSQL(_flip_deliveries(NEW_LABELS), reverse_sql=_flip_deliveries(OLD_LABELS)),
    ]
