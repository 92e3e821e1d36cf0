# A testimonial candidate's reviewer points at the public user the one way every brand table does
# (tenants.fields.user_ref). The column stays as it is (bigint `reviewed_by_id`, no index, no
# constraint): only Django's view of it changes, so no brand's table is rewritten.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0007_invitation_erasure"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="testimonialcandidate", name="reviewed_by_id"),
                migrations.AddField(
                    model_name="testimonialcandidate",
                    name="reviewed_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            database_operations=[],
        )
    ]
