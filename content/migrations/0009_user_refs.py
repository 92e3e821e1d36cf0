# The history's actor and an item's author point at the public user the one way every brand table
# does (tenants.fields.user_ref). The columns stay as they are (bigint `<name>_id`, no index, no
# constraint): only Django's view of them changes, so no brand's table is rewritten.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _ref(**kwargs):
    return models.ForeignKey(
        blank=True,
        db_constraint=False,
        db_index=False,
        null=True,
        on_delete=django.db.models.deletion.DO_NOTHING,
        related_name="+",
        to=settings.AUTH_USER_MODEL,
        **kwargs,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0008_hold_severity_one_scale"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="contentitem", name="created_by_id"),
                migrations.RemoveField(model_name="historyentry", name="actor_id"),
                migrations.AddField(model_name="contentitem", name="created_by", field=_ref(editable=False)),
                migrations.AddField(model_name="historyentry", name="actor", field=_ref()),
            ],
            database_operations=[],
        )
    ]
