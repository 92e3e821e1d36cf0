"""Text search through an index: pg_trgm (in public, so every brand schema, the template and the
brands cloned from it share one copy) and a trigram GIN index on UPPER(text), the expression
Django's `icontains` compares. Built CONCURRENTLY: on a brand with a million mentions it takes
tens of seconds, and intake keeps writing meanwhile. bench/pages.py measured it against
full-text search (simple configuration) and kept it."""

import django.contrib.postgres.indexes
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations

# One brand's migration at a time creates the extension (a parallel migrate_schemas would
# otherwise race two CREATE EXTENSION IF NOT EXISTS into a unique violation).
_LOCK = 7_106_401_916


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("incidents", "0020_rollup_truncate"),
    ]

    operations = [
        migrations.RunSQL(
            [
                f"SELECT pg_advisory_lock({_LOCK})",
                "CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public",
                f"SELECT pg_advisory_unlock({_LOCK})",
            ],
            reverse_sql=migrations.RunSQL.noop,  # other brands' indexes still use it
        ),
        AddIndexConcurrently(
            model_name="mention",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.indexes.OpClass(
                    django.db.models.functions.text.Upper("text"), name="gin_trgm_ops"
                ),
                name="mention_text_trgm",
            ),
        ),
    ]
