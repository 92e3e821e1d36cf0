"""Testimonials from surveys: an approved candidate (consent on record) becomes a testimonial
draft once; a testimonial without consent is never scheduled or published."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tenants.errors import DomainError
from tests.content.conftest import make_channel
from tests.helpers import bearer
from tests.surveys.conftest import invite, make_survey, valid_post

pytestmark = pytest.mark.django_db


def _candidate(client_a, *, approve=True, actor=None, consent="first_name"):
    from surveys.models import TestimonialCandidate
    from surveys.services import testimonial_review

    survey = make_survey()
    _, token = invite(survey, name="Sari Wulandari")
    client_a.post(f"/s/{token}/", valid_post(survey, consent=consent))
    candidate = TestimonialCandidate.objects.get()
    if approve:
        testimonial_review(candidate_id=candidate.pk, decision="approve", actor=actor)
    return candidate


def _approve_and_variant(ayu, item):
    from content.services import item_approve, item_submit, variant_create

    variant = variant_create(item_id=item.pk, actor=ayu, platform="x")
    item_submit(item_id=item.pk, actor=ayu)
    item_approve(item_id=item.pk, actor=ayu)
    return variant


def test_an_approved_candidate_becomes_a_testimonial_draft_once(client_a, in_brand_a, ayu):
    from content.services import testimonial_draft_create

    candidate = _candidate(client_a, actor=ayu)
    item = testimonial_draft_create(candidate_id=candidate.pk, actor=ayu)
    again = testimonial_draft_create(candidate_id=candidate.pk, actor=ayu, attribution="initials")
    assert again.pk == item.pk
    assert item.kind == "testimonial" and item.status == "draft"
    assert item.master_text == f"“{candidate.quote}” — Sari"
    assert item.testimonial_survey_id == candidate.response.survey_id and item.consent_recorded_at


def test_initials_and_anonymous(client_a, in_brand_a, ayu):
    from content.services.testimonials import attribution_text

    assert attribution_text("Sari Wulandari", "initials") == "S.W."
    assert attribution_text("Sari Wulandari", "anonymous") == "a customer"


@pytest.mark.parametrize(
    ("consent", "named"), [("first_name", "Sari"), ("initials", "S.W."), ("anonymous", "a customer")]
)
def test_the_draft_names_the_customer_as_they_chose_when_consenting(
    client_a, in_brand_a, ayu, consent, named
):
    from content.models import HistoryEntry
    from content.services import testimonial_draft_create

    candidate = _candidate(client_a, actor=ayu, consent=consent)
    item = testimonial_draft_create(candidate_id=candidate.pk, actor=ayu)
    assert item.master_text == f"“{candidate.quote}” — {named}"
    assert consent in HistoryEntry.objects.get(item=item).comment
    if consent != "first_name":
        assert "Sari" not in item.master_text and "Sari" not in item.title


def test_staff_cannot_name_a_customer_otherwise_than_they_chose(client_a, in_brand_a, ayu):
    from content.models import ContentItem
    from content.services import testimonial_draft_create

    candidate = _candidate(client_a, actor=ayu, consent="initials")
    for other in ("first_name", "anonymous"):
        with pytest.raises(DomainError, match="initials only"):
            testimonial_draft_create(candidate_id=candidate.pk, actor=ayu, attribution=other)
    assert not ContentItem.objects.exists()
    item = testimonial_draft_create(candidate_id=candidate.pk, actor=ayu, attribution="initials")
    assert item.master_text.endswith("— S.W.")


def test_a_candidate_not_approved_cannot_become_a_testimonial(client_a, in_brand_a, ayu):
    from content.models import ContentItem
    from content.services import testimonial_draft_create

    candidate = _candidate(client_a, approve=False)
    with pytest.raises(DomainError, match="approved testimonial candidate"):
        testimonial_draft_create(candidate_id=candidate.pk, actor=ayu)
    assert not ContentItem.objects.exists()


def test_a_testimonial_without_consent_on_record_cannot_be_scheduled(in_brand_a, ayu):
    from content.services import item_create, variant_schedule

    make_channel(ayu)
    item = item_create(
        actor=ayu, kind="testimonial", title="Made up", master_text="“Great!” — Someone", language="en"
    )
    variant = _approve_and_variant(ayu, item)
    with pytest.raises(DomainError, match="consent"):
        variant_schedule(variant_id=variant.pk, actor=ayu, at=timezone.now() + timedelta(hours=1))


def test_consent_withdrawn_after_scheduling_stops_the_publication(client_a, in_brand_a, ayu):
    from content.models import Variant
    from content.services import (
        publish_due_claim,
        testimonial_draft_create,
        variant_publish_attempt,
        variant_schedule,
    )
    from surveys.services import testimonial_review

    channel = make_channel(ayu)
    candidate = _candidate(client_a, actor=ayu)
    item = testimonial_draft_create(candidate_id=candidate.pk, actor=ayu)
    variant = _approve_and_variant(ayu, item)
    variant_schedule(
        variant_id=variant.pk, actor=ayu, at=timezone.now() + timedelta(minutes=5), channel_id=channel.pk
    )
    testimonial_review(
        candidate_id=candidate.pk, decision="reject", actor=ayu, note="Customer asked us not to"
    )
    Variant.objects.filter(pk=variant.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))
    [(pk, attempt)] = publish_due_claim()
    assert variant_publish_attempt(variant_id=pk, attempt=attempt) == "failed"
    assert "consent" in Variant.objects.get(pk=variant.pk).failure_reason


def test_from_testimonial_through_the_api_and_the_admin(client_a, api_key_a, in_brand_a, ayu, budi):
    candidate = _candidate(client_a, actor=ayu, consent="initials")
    refused = client_a.post(
        "/api/v1/content/items/from-testimonial/",
        {"candidate": str(candidate.pk), "attribution": "first_name"},
        content_type="application/json",
        **bearer(api_key_a),
    )
    assert refused.status_code == 400 and "attribution" in refused.json()["errors"]
    response = client_a.post(
        "/api/v1/content/items/from-testimonial/",
        {"candidate": str(candidate.pk)},
        content_type="application/json",
        **bearer(api_key_a),
    )
    assert response.status_code == 201 and response.json()["master_text"].endswith("— S.W.")
    page = client_a.login_as(ayu).get("/admin/content/contentitem/testimonials/")
    assert page.status_code == 200 and candidate.quote in page.content.decode()
    # Staff pick the testimonial, never the name: the page shows the respondent's choice.
    assert "(Initials)" in page.content.decode() and 'name="attribution"' not in page.content.decode()
    assert client_a.login_as(budi).get("/admin/content/contentitem/testimonials/").status_code == 403
    bad = client_a.post(
        "/api/v1/content/items/from-testimonial/",
        {"candidate": "00000000-0000-0000-0000-000000000000"},
        content_type="application/json",
        **bearer(api_key_a),
    )
    assert bad.status_code == 400
