"""`seed_demo` tells a story: 30 days of bilingual mentions with one crisis, the alerts it raised on
ONE incident worked through to resolved (team, tasks, approved and sent responses, moderation with
a reason, a client update), a second brand mid-crisis; twice run, the story is there once."""

from io import StringIO

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

pytestmark = pytest.mark.django_db


def _story(brand_slug: str) -> dict:
    from incidents.demo_reviews import OVERDUE_TITLE, REVIEWED_TITLE, SIGN_OFF_TITLE
    from incidents.models import (
        Alert,
        Incident,
        IncidentAssignment,
        IncidentTask,
        Mention,
        ModerationAction,
        Response,
        StatusUpdate,
    )
    from tenants.models import Brand

    with tenant_context(Brand.objects.get(slug=brand_slug)):
        return {
            "mentions": Mention.objects.count(),
            "languages": set(Mention.objects.values_list("language", flat=True)),
            "days": Mention.objects.dates("posted_at", "day").count(),
            # The post-crisis review story adds earlier incidents of its own, and the drill story a
            # drill (numbered apart); the crisis story is every other incident.
            "incidents": list(
                Incident.objects.exclude(title__in=[REVIEWED_TITLE, OVERDUE_TITLE, SIGN_OFF_TITLE])
                .exclude(is_drill=True)
                .values_list("status", flat=True)
            ),
            "alerts": sorted(
                (d, s, n or 0)
                for d, s, n in Alert.objects.values_list("detector", "state", "incident__number")
            ),
            "team": IncidentAssignment.objects.count(),
            "tasks": sorted(IncidentTask.objects.values_list("status", flat=True)),
            "sent": Response.objects.filter(state="sent").count(),
            "pending": Response.objects.filter(state="pending_approval").count(),
            "moderation": list(ModerationAction.objects.values_list("reason", flat=True)),
            "updates": StatusUpdate.objects.filter(state="sent").count(),
            "resolved_entries": Incident.objects.order_by("number")
            .first()
            .timeline.filter(kind="alert_resolved")
            .count()
            if Incident.objects.exists()
            else 0,
        }


def _assert_the_report_shows_the_story(brand_slug: str) -> None:
    """The brand report's last 30 days read the demo from its rollups, which match the raw rows."""
    from incidents.rollups import mention_hourly_from_raw, mention_hourly_from_rollup
    from reports.periods import period_resolve
    from reports.selectors import report_summary
    from tenants.models import Brand

    brand = Brand.objects.get(slug=brand_slug)
    with tenant_context(brand):
        assert mention_hourly_from_rollup() == {
            k: v for k, v in mention_hourly_from_raw().items() if any(v.values())
        }
        period = period_resolve(tz=brand.timezone, key="30d")
        summary = report_summary(start=period.start, end=period.end, previous_start=period.previous_start)
    assert summary["mentions"]["total"] > 900 and summary["mentions"]["negative"] > 0
    assert summary["incidents"]["count"] >= 1 and summary["responses"]["sent"] >= 7
    assert summary["moderation"] and summary["followers"]


def _content_demo_replies(brand_slug: str) -> int:
    """Mentions replying to the content demo's published posts (their ids start `demo-`), all
    scored."""
    from incidents.models import Mention
    from tenants.models import Brand

    with tenant_context(Brand.objects.get(slug=brand_slug)):
        replies = Mention.objects.filter(parent_external_id__startswith="demo-")
        assert not replies.filter(scored_at__isnull=True).exists()
        return replies.count()


def _assert_the_content_demo_tells_its_part() -> None:
    """`make run` seeds content next: Kopi's delighted post-crisis customers, who consented on the
    survey, become testimonials named as they chose; Batik's open crisis holds what falls due."""
    from content.models import ContentItem, Variant
    from surveys.models import TestimonialCandidate
    from tenants.models import Brand

    call_command("seed_content_demo", stdout=StringIO())
    with tenant_context(Brand.objects.get(slug="kopi-nusantara")):
        named = {c.author_name: (c.attribution, c.status) for c in TestimonialCandidate.objects.all()}
        assert named == {"Rina Kartika": ("first_name", "approved"), "Agus Santoso": ("initials", "approved")}
        quotes = set(ContentItem.objects.filter(kind="testimonial").values_list("master_text", flat=True))
        assert {q.rsplit(" — ", 1)[1] for q in quotes} == {"Rina", "A.S."}
        assert not Variant.objects.filter(status="held").exists()  # its crisis is over
    with tenant_context(Brand.objects.get(slug="batik-lestari")):
        held = list(Variant.objects.filter(status="held").select_related("item"))
        assert {v.item.kind for v in held} == {"promotion", "tip"} and all(
            v.item.kind != "tip" or v.item.evergreen for v in held
        )
        assert all(v.hold_reason.startswith("Held: incident #") for v in held)
    assert _content_demo_replies("kopi-nusantara") > 0 and _content_demo_replies("batik-lestari") > 0


def test_seed_demo_tells_the_story_once():
    first_out = StringIO()
    call_command("seed_demo", stdout=first_out)
    kopi = _story("kopi-nusantara")
    assert kopi["mentions"] > 900 and kopi["languages"] == {"id", "en"} and kopi["days"] >= 30
    assert kopi["incidents"] == ["resolved"]  # one crisis, one incident, worked to the end
    detectors = {d for d, _state, _number in kopi["alerts"]}
    assert detectors == {"negative_spike", "rumour", "follower_drop", "unanswered_complaints"}
    assert {number for _d, _s, number in kopi["alerts"]} == {1}
    assert {state for _d, state, _n in kopi["alerts"]} == {"resolved"}  # their conditions ended
    assert kopi["resolved_entries"] == 4
    assert kopi["team"] >= 4 and "done" in kopi["tasks"] and "open" in kopi["tasks"]
    assert kopi["sent"] >= 7 and kopi["moderation"] and kopi["updates"] == 1
    _assert_the_report_shows_the_story("kopi-nusantara")
    batik = _story("batik-lestari")
    assert batik["incidents"] and set(batik["incidents"]) <= {"detected", "triaged", "responding"}
    assert batik["pending"] == 1 and batik["team"] == 1

    _assert_the_content_demo_tells_its_part()
    # Others' replies to the content demo's published posts join the mentions stream; nothing
    # else of the story changes.
    kopi["mentions"] += _content_demo_replies("kopi-nusantara")
    batik["mentions"] += _content_demo_replies("batik-lestari")

    call_command("seed_demo", stdout=StringIO())
    assert _story("kopi-nusantara") == kopi
    assert _story("batik-lestari") == batik
    assert _story("warung-sehat")["mentions"] == 0
