"""The hold severity is the shared scale (tenants/severity.py): the same numbers as before
(1 = SEV1 critical … 4 = SEV4 low, lower is worse), with the scale's own labels and a help text
that says "this severe or worse". No stored value changes."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0007_content_client_approval"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contentsettings",
            name="hold_at_severity",
            field=models.PositiveSmallIntegerField(
                choices=[(1, "SEV1 · Critical"), (2, "SEV2 · High"), (3, "SEV3 · Medium"), (4, "SEV4 · Low")],
                default=2,
                help_text=(
                    "Promotional and evergreen posts are held while an incident this severe or worse is open "
                    "(SEV1 is the worst; SEV4 holds for any incident)."
                ),
                verbose_name="hold from severity",
            ),
        ),
    ]
