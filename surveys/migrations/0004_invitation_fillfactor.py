"""Leave room on each invitation page, so the updates an invitation gets (sent, reminded, answered)
stay on its page as heap-only tuples instead of adding entries to all of its indexes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("surveys", "0003_response_time_ordered_ids")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE surveys_invitation SET (fillfactor = 70)",
            reverse_sql="ALTER TABLE surveys_invitation RESET (fillfactor)",
        )
    ]
