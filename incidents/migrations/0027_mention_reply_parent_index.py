"""A published post's reply sentiment looks up others' replies by the post they answer; only the
brand's own replies had an index by parent, so the lookup scanned every mention of the platform.
A partial index holds only replies (mentions with a parent), so intake pays for it on those rows
only. Built in the migration's transaction (not concurrently): the build reads the mentions once
(about a second at a million) while intake waits, and a transactional migration keeps the earlier
migrations testable by unapplying and reapplying them (test_severity_migration)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0026_review_action_item_priority"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="mention",
            index=models.Index(
                condition=models.Q(("is_own", False), models.Q(("parent_external_id", ""), _negated=True)),
                fields=["platform", "parent_external_id"],
                name="mention_reply_parent",
            ),
        ),
    ]
