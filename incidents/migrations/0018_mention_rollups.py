"""Hourly rollups of mentions and follower counts, kept by statement-level triggers.

One AFTER INSERT / UPDATE / DELETE trigger per statement on `incidents_mention` folds the statement's
transition tables (the rows as they were and as they are) into one aggregate upsert of signed
deltas, so intake, scoring, rescoring, answering, late-arriving mentions and deletions all keep the
rollup exact with no Python on the write path, and a resend that changes no counted column writes
nothing. Follower rollups recompute the touched (hour, platform) cells from the raw samples (a few
rows each). The functions live in public and are shared by every brand (they address the brand's
tables through TG_TABLE_SCHEMA); cloned brand schemas get the triggers with their tables
(tenants/cloning.py copies triggers). Existing rows are folded in at the end."""

from django.db import migrations, models

# One counted row per mention, with `sign` (+1 new, -1 old); %(t)s is the response target in minutes.
_COUNTS = """
    date_trunc('hour', d.posted_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour,
    d.platform,
    sum(d.sign) AS total,
    sum(d.sign * (d.sentiment_band = 'negative')::int) AS negative,
    sum(d.sign * (d.sentiment_band = 'neutral')::int) AS neutral,
    sum(d.sign * (d.sentiment_band = 'positive')::int) AS positive,
    sum(d.sign * (d.answered_at IS NOT NULL)::int) AS answered,
    sum(d.sign * (d.sentiment_band = 'negative' OR d.is_complaint)::int) AS complaints,
    sum(d.sign * ((d.sentiment_band = 'negative' OR d.is_complaint) AND d.answered_at IS NOT NULL)::int)
        AS complaints_answered,
    sum(d.sign * ((d.sentiment_band = 'negative' OR d.is_complaint)
        AND COALESCE(d.answered_at <= d.posted_at + make_interval(mins => $1), false))::int)
        AS complaints_answered_in_target
"""
_COLUMNS = (
    "total", "negative", "neutral", "positive", "answered", "complaints", "complaints_answered",
    "complaints_answered_in_target",
)
_ADD = ", ".join(f"{c} = r.{c} + EXCLUDED.{c}" for c in _COLUMNS)
_ZERO = " AND ".join(f"{c} = 0" for c in _COLUMNS)

MENTION_FUNCTION = (
    r"""
CREATE OR REPLACE FUNCTION public.tanggap_mention_rollup() RETURNS trigger AS $fn$
DECLARE
    target_minutes integer;
    delta text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        delta := 'SELECT posted_at, platform, sentiment_band, is_complaint, answered_at, is_own, 1 AS sign FROM new_rows';
    ELSIF TG_OP = 'DELETE' THEN
        delta := 'SELECT posted_at, platform, sentiment_band, is_complaint, answered_at, is_own, -1 AS sign FROM old_rows';
    ELSE
        delta := 'SELECT posted_at, platform, sentiment_band, is_complaint, answered_at, is_own, 1 AS sign FROM new_rows '
            'UNION ALL SELECT posted_at, platform, sentiment_band, is_complaint, answered_at, is_own, -1 FROM old_rows';
    END IF;
    EXECUTE format('SELECT COALESCE((SELECT response_target_minutes FROM %I.incidents_detectorsettings WHERE id = 1), 60)',
        TG_TABLE_SCHEMA) INTO target_minutes;
    EXECUTE format($sql$
        WITH agg AS (
            SELECT """
    + _COUNTS.replace("\n", " ")
    + r"""
            FROM (%2$s) AS d WHERE NOT d.is_own GROUP BY 1, 2
        )
        INSERT INTO %1$I.incidents_mentionhourly AS r (hour, platform, """
    + ", ".join(_COLUMNS)
    + r""")
        SELECT hour, platform, """
    + ", ".join(_COLUMNS)
    + r""" FROM agg WHERE NOT ("""
    + _ZERO
    + r""")
        ORDER BY hour, platform
        ON CONFLICT (hour, platform) DO UPDATE SET """
    + _ADD
    + r"""
    $sql$, TG_TABLE_SCHEMA, delta) USING target_minutes;
    RETURN NULL;
END
$fn$ LANGUAGE plpgsql;
"""
)

FOLLOWER_FUNCTION = r"""
CREATE OR REPLACE FUNCTION public.tanggap_follower_rollup() RETURNS trigger AS $fn$
DECLARE
    touched text;
BEGIN
    IF TG_OP = 'INSERT' THEN
        touched := 'SELECT measured_at, platform FROM new_rows';
    ELSIF TG_OP = 'DELETE' THEN
        touched := 'SELECT measured_at, platform FROM old_rows';
    ELSE
        touched := 'SELECT measured_at, platform FROM new_rows UNION ALL SELECT measured_at, platform FROM old_rows';
    END IF;
    EXECUTE format($sql$
        DELETE FROM %1$I.incidents_followerhourly AS r
        USING (SELECT DISTINCT date_trunc('hour', t.measured_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, t.platform
               FROM (%2$s) AS t) AS k
        WHERE r.hour = k.hour AND r.platform = k.platform
    $sql$, TG_TABLE_SCHEMA, touched);
    EXECUTE format($sql$
        INSERT INTO %1$I.incidents_followerhourly (hour, platform, followers, measured_at)
        SELECT DISTINCT ON (k.hour, k.platform) k.hour, k.platform, s.followers, s.measured_at
        FROM (SELECT DISTINCT date_trunc('hour', t.measured_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, t.platform
              FROM (%2$s) AS t) AS k
        JOIN %1$I.incidents_metricsample s
          ON s.platform = k.platform AND s.measured_at >= k.hour AND s.measured_at < k.hour + interval '1 hour'
        ORDER BY k.hour, k.platform, s.measured_at DESC
    $sql$, TG_TABLE_SCHEMA, touched);
    RETURN NULL;
END
$fn$ LANGUAGE plpgsql;
"""


def _triggers(table: str, function: str) -> str:
    return "".join(
        f"DROP TRIGGER IF EXISTS {table}_rollup_{op[:3].lower()} ON {table};"
        f"CREATE TRIGGER {table}_rollup_{op[:3].lower()} AFTER {op} ON {table} REFERENCING {refs} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION public.{function}();"
        for op, refs in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
    )


def _drop_triggers(table: str) -> str:
    return "".join(f"DROP TRIGGER IF EXISTS {table}_rollup_{op} ON {table};" for op in ("ins", "upd", "del"))


# Fold in what the brand already holds (a fresh brand holds nothing).
BACKFILL = (
    "INSERT INTO incidents_mentionhourly (hour, platform, "
    + ", ".join(_COLUMNS)
    + ") SELECT "
    + _COUNTS.replace("$1", "COALESCE((SELECT response_target_minutes FROM incidents_detectorsettings WHERE id = 1), 60)")
    + " FROM (SELECT *, 1 AS sign FROM incidents_mention) AS d WHERE NOT d.is_own GROUP BY 1, 2;"
    "INSERT INTO incidents_followerhourly (hour, platform, followers, measured_at) "
    "SELECT DISTINCT ON (1, 2) date_trunc('hour', measured_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', platform, "
    "followers, measured_at FROM incidents_metricsample ORDER BY 1, 2, measured_at DESC;"
)


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0017_webhook_secret_overlap"),
    ]

    operations = [
        migrations.CreateModel(
            name='FollowerHourly',
            fields=[
                ('pk', models.CompositePrimaryKey('hour', 'platform', blank=True, editable=False, primary_key=True, serialize=False)),
                ('hour', models.DateTimeField(verbose_name='hour')),
                ('platform', models.CharField(max_length=32, verbose_name='platform')),
                ('followers', models.BigIntegerField(verbose_name='followers')),
                ('measured_at', models.DateTimeField(verbose_name='measured at')),
            ],
            options={
                'verbose_name': 'hourly follower rollup',
                'verbose_name_plural': 'hourly follower rollups',
            },
        ),
        migrations.CreateModel(
            name='MentionHourly',
            fields=[
                ('pk', models.CompositePrimaryKey('hour', 'platform', blank=True, editable=False, primary_key=True, serialize=False)),
                ('hour', models.DateTimeField(verbose_name='hour')),
                ('platform', models.CharField(max_length=32, verbose_name='platform')),
                ('total', models.BigIntegerField(default=0, verbose_name='mentions')),
                ('negative', models.BigIntegerField(default=0, verbose_name='negative')),
                ('neutral', models.BigIntegerField(default=0, verbose_name='neutral')),
                ('positive', models.BigIntegerField(default=0, verbose_name='positive')),
                ('answered', models.BigIntegerField(default=0, verbose_name='answered')),
                ('complaints', models.BigIntegerField(default=0, verbose_name='complaints')),
                ('complaints_answered', models.BigIntegerField(default=0, verbose_name='complaints answered')),
                ('complaints_answered_in_target', models.BigIntegerField(default=0, verbose_name='complaints answered within target')),
            ],
            options={
                'verbose_name': 'hourly mention rollup',
                'verbose_name_plural': 'hourly mention rollups',
            },
        ),
        migrations.RunSQL(MENTION_FUNCTION, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(FOLLOWER_FUNCTION, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(
            _triggers("incidents_mention", "tanggap_mention_rollup"),
            reverse_sql=_drop_triggers("incidents_mention"),
        ),
        migrations.RunSQL(
            _triggers("incidents_metricsample", "tanggap_follower_rollup"),
            reverse_sql=_drop_triggers("incidents_metricsample"),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
    ]
