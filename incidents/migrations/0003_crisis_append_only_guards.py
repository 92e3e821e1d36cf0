"""The timeline and the moderation log are append-only in the database itself: a trigger refuses
DELETE, and UPDATE of any column other than the ones named as the trigger's arguments (the client
pin; the integration's confirmation). The function lives in public and is shared by all brands;
cloned brand schemas get the triggers with their tables."""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION public.tanggap_append_only() RETURNS trigger AS $$
DECLARE
    mutable text[] := COALESCE(TG_ARGV::text[], ARRAY[]::text[]);
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION '% is append-only: rows cannot be deleted', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable) THEN
        RAISE EXCEPTION '% is append-only: only % may change', TG_TABLE_NAME, array_to_string(mutable, ', ')
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
"""

TRIGGERS = (
    ("incidents_timelineentry", "pinned"),
    ("incidents_moderationaction", "carried_out_at', 'external_ref"),
)


def _create(table: str, columns: str) -> str:
    return (
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION public.tanggap_append_only('{columns}');"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0002_crisis"),
    ]

    operations = [
        migrations.RunSQL(FUNCTION, reverse_sql=migrations.RunSQL.noop),
        *[
            migrations.RunSQL(_create(table, columns), reverse_sql=f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
            for table, columns in TRIGGERS
        ],
    ]
