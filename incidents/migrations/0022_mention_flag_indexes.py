"""Threats, abuse and direct messages are a few mentions in a thousand: filtering the newest-first
list by any of them walked the whole posted_at index (about 2 s at a million mentions). Partial
indexes hold only those rows, so intake pays for them only on the rows they hold."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("incidents", "0021_mention_text_search"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="mention",
            index=models.Index(
                condition=models.Q(("is_threat", True)), fields=["posted_at"], name="mention_threat_posted_at"
            ),
        ),
        AddIndexConcurrently(
            model_name="mention",
            index=models.Index(
                condition=models.Q(("is_abuse", True)), fields=["posted_at"], name="mention_abuse_posted_at"
            ),
        ),
        AddIndexConcurrently(
            model_name="mention",
            index=models.Index(
                condition=models.Q(("kind", "direct_message")), fields=["posted_at"], name="mention_dm_posted_at"
            ),
        ),
    ]
