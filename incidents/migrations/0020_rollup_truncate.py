"""Emptying the mentions or metric-sample table (TRUNCATE: a bench reload, a brand restore) empties
its rollup too, so no write path leaves the rollups behind. TRUNCATE triggers have no transition
tables; the function takes the rollup's name as its argument, and deletes its rows (the rollup may
be in the same TRUNCATE statement, which a nested TRUNCATE of it would refuse)."""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION public.tanggap_rollup_truncate() RETURNS trigger AS $fn$
BEGIN
    -- DELETE, not TRUNCATE: the rollup may be named in the same TRUNCATE statement (a restore).
    EXECUTE format('DELETE FROM %I.%I', TG_TABLE_SCHEMA, TG_ARGV[0]);
    RETURN NULL;
END
$fn$ LANGUAGE plpgsql;
"""

TRIGGERS = (("incidents_mention", "incidents_mentionhourly"), ("incidents_metricsample", "incidents_followerhourly"))


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0019_crisis_settings_report_targets"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, reverse_sql=migrations.RunSQL.noop),
        *[
            migrations.RunSQL(
                f"DROP TRIGGER IF EXISTS {table}_rollup_tru ON {table};"
                f"CREATE TRIGGER {table}_rollup_tru AFTER TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION public.tanggap_rollup_truncate('{rollup}');",
                reverse_sql=f"DROP TRIGGER IF EXISTS {table}_rollup_tru ON {table};",
            )
            for table, rollup in TRIGGERS
        ],
    ]
