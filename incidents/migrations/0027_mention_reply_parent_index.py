"""A published post's reply sentiment looks up others' replies by the post they answer; only the
brand's own replies had an index by parent, so the lookup scanned every mention of the platform.
A partial index holds only replies (mentions with a parent), so intake pays for it on those rows
only; built concurrently, so a brand's intake is not blocked while it builds."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("incidents", "0026_review_action_item_priority"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="mention",
            index=models.Index(
                condition=models.Q(("is_own", False), models.Q(("parent_external_id", ""), _negated=True)),
                fields=["platform", "parent_external_id"],
                name="mention_reply_parent",
            ),
        ),
    ]
