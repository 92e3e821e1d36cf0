"""The content demo: a month of published and scheduled posts per ready brand on every platform we
publish to and of every kind, testimonial drafts named as the customers chose, and posts due during
an open severe incident held by the crisis hold; safe to repeat."""

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

from tenants.platforms import PUBLISHING_PLATFORMS
from tests.surveys.conftest import invite, make_survey, valid_post

pytestmark = pytest.mark.django_db


def _brand_a_in_crisis_with_a_consented_testimonial(client_a, brand_a, ayu):
    """An open SEV1 incident and an approved candidate who agreed to be quoted by initials."""
    from incidents.services.incidents import incident_open
    from surveys.models import TestimonialCandidate
    from surveys.services import testimonial_review

    with tenant_context(brand_a):
        incident = incident_open(actor=ayu, title="Kopi basi di Bandung", severity=1)
        survey = make_survey()
        _, token = invite(survey, name="Sari Wulandari")
        client_a.post(f"/s/{token}/", valid_post(survey, consent="initials"))
        testimonial_review(candidate_id=TestimonialCandidate.objects.get().pk, decision="approve", actor=ayu)
        return incident


def _content() -> dict:
    from content.models import ContentItem, HistoryEntry, MediaRef, Variant, VariantMetric

    return {
        "items": ContentItem.objects.count(),
        "variants": Variant.objects.count(),
        "media": MediaRef.objects.count(),
        "metrics": VariantMetric.objects.count(),
        "history": HistoryEntry.objects.count(),
    }


def test_seed_content_demo_makes_a_month_and_is_safe_to_repeat(client_a, brand_a, ayu, capsys):
    from content.models import ContentItem, CrisisHold, Variant

    incident = _brand_a_in_crisis_with_a_consented_testimonial(client_a, brand_a, ayu)
    call_command("seed_content_demo")
    with tenant_context(brand_a):
        assert set(Variant.objects.values_list("platform", flat=True)) == set(PUBLISHING_PLATFORMS)
        assert set(ContentItem.objects.values_list("kind", flat=True)) == set(ContentItem.Kind.values)
        statuses = set(Variant.objects.values_list("status", flat=True))
        assert statuses == {"published", "scheduled", "held"}
        assert not Variant.objects.filter(status="published", metrics__isnull=True).exists()
        # Due while the incident is open: held by the hold service, the reason naming the incident.
        held = Variant.objects.filter(status="held").select_related("item")
        assert {(v.item.kind, v.item.evergreen) for v in held} == {("promotion", False), ("tip", True)}
        assert all(f"#{incident.number}" in v.hold_reason for v in held)
        assert CrisisHold.objects.get().incident_id == incident.pk
        # The testimonial names the customer as she chose, and is on the calendar.
        testimonial = ContentItem.objects.get(kind="testimonial")
        assert testimonial.master_text.endswith("— S.W.") and "Sari" not in testimonial.master_text
        assert testimonial.variants.get().status == "scheduled"
        first = _content()
        assert first["items"] == 15 + 1 + 2
    call_command("seed_content_demo")
    assert "content already there" in capsys.readouterr().out
    with tenant_context(brand_a):
        assert _content() == first


def test_the_demo_posts_get_scored_replies_once_where_the_brand_listens(brand_a, brand_b):
    """Brand A has a mentions stream, so others reply to its published posts: Indonesian and
    English, scored by the brand's scorer (positive and negative), linked to each post in the
    report. Brand B listens to nothing and gets none. A second run adds none."""
    from datetime import timedelta

    from django.utils import timezone

    from content.models import Variant
    from incidents.models import Mention
    from incidents.services.intake import mentions_ingest
    from reports.selectors import report_content_posts
    from tests.incidents.fixtures_early_warning import mention_row

    with tenant_context(brand_a):
        mentions_ingest(rows=[mention_row()])
    call_command("seed_content_demo")
    with tenant_context(brand_a):
        replies = Mention.objects.exclude(parent_external_id="")
        assert replies.count() >= 15 and not replies.filter(scored_at__isnull=True).exists()
        assert set(replies.values_list("language", flat=True)) == {"id", "en"}
        assert {"positive", "negative"} <= set(replies.values_list("sentiment_band", flat=True))
        published = set(Variant.objects.filter(status="published").values_list("platform_post_id", flat=True))
        assert set(replies.values_list("parent_external_id", flat=True)) <= published
        now = timezone.now()
        posts = report_content_posts(start=now - timedelta(days=30), end=now)
        answered = [p for p in posts if p["replies"]]
        assert len(answered) >= 5 and all(p["replies"] == 3 for p in answered)
        assert sum(p["positive"] for p in posts) > sum(p["negative"] for p in posts) > 0
        assert all(p["mean_sentiment"] is not None for p in answered)
        first = replies.count()
    with tenant_context(brand_b):
        assert Variant.objects.filter(status="published").exists()
        assert not Mention.objects.exists()  # no stream, no replies
    call_command("seed_content_demo")
    with tenant_context(brand_a):
        assert Mention.objects.exclude(parent_external_id="").count() == first
