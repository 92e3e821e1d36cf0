"""Crisis-plan versions get a state: reviews' lessons now propose a draft that staff publish (or
discard), instead of publishing at once. Every stored version is published (published when it was
created, by whoever created it) and keeps its number; a review already linked to a version
(Review.plan_version) is listed among the reviews that caused it. Reviews get the time their team
feedback digest was sent."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def stored_versions_published(apps, schema_editor):
    CrisisPlanVersion = apps.get_model("incidents", "CrisisPlanVersion")
    Review = apps.get_model("incidents", "Review")
    CrisisPlanVersion.objects.filter(published_at__isnull=True).update(
        published_at=models.F("created_at"), published_by=models.F("created_by")
    )
    through = CrisisPlanVersion.source_reviews.through
    through.objects.bulk_create(
        [
            through(crisisplanversion_id=version_id, review_id=review_id)
            for review_id, version_id in Review.objects.filter(plan_version__isnull=False).values_list(
                "pk", "plan_version_id"
            )
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0029_drill_mentions_numbering"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="crisisplanversion",
            options={
                "ordering": [
                    models.OrderBy(models.F("version"), descending=True, nulls_first=True),
                    "-created_at",
                ],
                "verbose_name": "crisis plan version",
            },
        ),
        migrations.AddField(
            model_name="crisisplanversion",
            name="based_on_version",
            field=models.PositiveIntegerField(
                blank=True, editable=False, null=True, verbose_name="based on version"
            ),
        ),
        migrations.AddField(
            model_name="crisisplanversion",
            name="discard_reason",
            field=models.TextField(blank=True, editable=False, verbose_name="why it was discarded"),
        ),
        migrations.AddField(
            model_name="crisisplanversion",
            name="discarded_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="discarded at"),
        ),
        migrations.AddField(
            model_name="crisisplanversion",
            name="discarded_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="crisisplanversion",
            name="proposed_changes",
            field=models.JSONField(blank=True, default=list, editable=False, verbose_name="proposed changes"),
        ),
        migrations.AddField(
            model_name="crisisplanversion",
            name="published_at",
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name="published at"),
        ),
        migrations.AddField(
            model_name="crisisplanversion",
            name="published_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="crisisplanversion",
            name="source_reviews",
            field=models.ManyToManyField(
                blank=True,
                related_name="plan_versions",
                to="incidents.review",
                verbose_name="from the reviews",
            ),
        ),
        migrations.AddField(
            model_name="crisisplanversion",
            name="state",
            field=models.CharField(
                choices=[("draft", "Draft"), ("published", "Published"), ("discarded", "Discarded")],
                default="published",
                editable=False,
                max_length=16,
                verbose_name="state",
            ),
        ),
        migrations.AddField(
            model_name="crisisplanversion",
            name="updated_at",
            field=models.DateTimeField(auto_now=True),
        ),
        migrations.AddField(
            model_name="review",
            name="feedback_digest_sent_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="feedback digest sent at"
            ),
        ),
        migrations.AlterField(
            model_name="crisisplanversion",
            name="version",
            field=models.PositiveIntegerField(blank=True, editable=False, null=True, unique=True),
        ),
        migrations.AddConstraint(
            model_name="crisisplanversion",
            constraint=models.UniqueConstraint(
                condition=models.Q(("state", "draft")), fields=("state",), name="crisis_plan_one_draft"
            ),
        ),
        migrations.AddConstraint(
            model_name="crisisplanversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state", "published"), ("version__isnull", False)),
                    models.Q(models.Q(("state", "published"), _negated=True), ("version__isnull", True)),
                    _connector="OR",
                ),
                name="crisis_plan_published_numbered",
            ),
        ),
        migrations.AddConstraint(
            model_name="crisisplanversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state", "discarded"), _negated=True),
                    models.Q(("discard_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="crisis_plan_discard_reason",
            ),
        ),
        migrations.RunPython(stored_versions_published, migrations.RunPython.noop),
    ]
