"""A brand's schema holds no foreign-key constraint into the public schema.

Two third-party tenant apps declare them: the admin's action log (to users and content types) and
guardian's object permissions (to users, groups, permissions and content types). PostgreSQL keeps a
foreign key as triggers on the referenced table too, so every brand added two triggers per key to
public.tenants_user, django_content_type, auth_permission and auth_group: at 1,200 brands the users
table carried 4,812 of them, reloaded whenever it changed and checked on every update of a user
(each sign-in writes last_login), and each new brand's keys took 10-25 ms apiece to add, growing
with the number of brands. Our own models already point at public rows without a constraint
(tenants/fields.py `user_ref`); this makes the two apps follow the same rule. The ORM still
resolves the relations; a deleted user leaves its id behind in brand rows, as `user_ref` documents.

Runs in each brand schema and the template (incidents is a tenant app), so brands cloned later
have none either. Not undone by a reverse migration: the constraints protected nothing the
application relies on."""

from django.db import migrations

DROP_KEYS_INTO_PUBLIC = """
DO $$
DECLARE
    key record;
BEGIN
    FOR key IN
        SELECT t.relname AS table_name, con.conname AS name
        FROM pg_constraint con
        JOIN pg_class t ON t.oid = con.conrelid
        JOIN pg_class r ON r.oid = con.confrelid
        WHERE con.contype = 'f'
          AND t.relnamespace = current_schema()::regnamespace
          AND r.relnamespace <> t.relnamespace
    LOOP
        EXECUTE format('ALTER TABLE %I.%I DROP CONSTRAINT %I', current_schema(), key.table_name, key.name);
    END LOOP;
END
$$;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0031_review_contacts"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("guardian", "0003_remove_groupobjectpermission_guardian_gr_content_ae6aec_idx_and_more"),
    ]

    operations = [migrations.RunSQL(DROP_KEYS_INTO_PUBLIC, reverse_sql=migrations.RunSQL.noop)]
