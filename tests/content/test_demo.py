"""The content demo: a month of published and scheduled posts per ready brand; safe to repeat."""

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.django_db


def test_seed_content_demo_makes_a_month_and_is_safe_to_repeat(brand_a, capsys):
    from content.models import ContentItem, Variant

    call_command("seed_content_demo")
    with tenant_context(brand_a):
        statuses = set(Variant.objects.values_list("status", flat=True))
        assert ContentItem.objects.count() == 15 and statuses == {"published", "scheduled"}
        kinds = set(ContentItem.objects.values_list("kind", flat=True))
        assert {"tip", "promotion", "success_story"} <= kinds
    call_command("seed_content_demo")
    assert "content already there" in capsys.readouterr().out
    with tenant_context(brand_a):
        assert ContentItem.objects.count() == 15
