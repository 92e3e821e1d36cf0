"""The crisis hold: promotional and evergreen posts due during a severe incident are held with the
reason, others go out; staff release one by one; after the incident, held posts are proposed new
times spread out, never published in a burst; the hold's start and end are on the incident's
timeline."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.content.conftest import approved_variant, make_channel
from tests.helpers import bearer

pytestmark = pytest.mark.django_db


def _due(actor, channel, **kwargs):
    from content.models import Variant
    from content.services import variant_schedule

    variant = approved_variant(actor, **kwargs)
    variant_schedule(
        variant_id=variant.pk, actor=actor, at=timezone.now() + timedelta(minutes=5), channel_id=channel.pk
    )
    Variant.objects.filter(pk=variant.pk).update(scheduled_at=timezone.now() - timedelta(seconds=1))
    return Variant.objects.get(pk=variant.pk)


def _sweep(now=None):
    """What the publishing task does: the hold sweep, then the claim."""
    from content.services import crisis_hold_sweep, publish_due_claim

    hold = crisis_hold_sweep(now=now)
    return {pk for pk, _ in publish_due_claim(now=now, holding=hold["holding"])}


def _incident(ayu, severity=1, is_drill=False):
    from incidents.services.incidents import incident_open

    return incident_open(actor=ayu, title="Kopi basi di Bandung", severity=severity, is_drill=is_drill)


def _notes(incident):
    return list(incident.timeline.filter(kind="note").order_by("at").values_list("text", flat=True))


def test_promotion_and_evergreen_are_held_during_a_severe_incident_tips_go_out(in_brand_a, ayu):
    from content.models import Variant

    channel = make_channel(ayu)
    promo = _due(ayu, channel, kind="promotion", title="Diskon 50%")
    evergreen = _due(ayu, channel, kind="tip", title="Evergreen tip", evergreen=True)
    tip = _due(ayu, channel, kind="tip", title="Plain tip")
    incident = _incident(ayu, severity=1)
    assert _sweep() == {tip.pk}
    held = Variant.objects.get(pk=promo.pk)
    assert held.status == "held" and f"#{incident.number} Kopi basi di Bandung" in held.hold_reason
    assert Variant.objects.get(pk=evergreen.pk).status == "held"
    assert _notes(incident)[-1].startswith("Content calendar on hold")
    assert held.item.history.filter(action="held").exists()


def test_below_the_brands_severity_or_a_drill_holds_nothing(in_brand_a, ayu):
    channel = make_channel(ayu)
    promo = _due(ayu, channel, kind="promotion")
    _incident(ayu, severity=3)  # SEV3; the brand holds from SEV2
    _incident(ayu, severity=1, is_drill=True)
    assert _sweep() == {promo.pk}


def test_the_hold_reads_the_one_scale_a_sev4_incident_does_not_hold_at_sev2_a_sev1_does(in_brand_a, ayu):
    from content.models import ContentSettings
    from content.services.holds import content_settings_get, hold_active_incident
    from incidents.models import Alert
    from incidents.selectors_crisis import crisis_mode_active
    from tenants.severity import Severity

    assert ContentSettings.HoldSeverity is Severity is Alert.Severity  # one scale, no translators
    assert content_settings_get().hold_at_severity == Severity.HIGH == 2  # the default: SEV2 or worse
    _incident(ayu, severity=4)  # SEV4 · Low
    assert hold_active_incident() is None
    assert not crisis_mode_active()
    worst = _incident(ayu, severity=1)  # SEV1 · Critical
    holding = hold_active_incident()
    assert holding.id == worst.pk and holding.label.endswith("(SEV1 · Critical)")
    assert crisis_mode_active()


def test_the_hold_severity_is_per_brand(in_brand_a, ayu):
    from content.services import content_settings_update

    channel = make_channel(ayu)
    promo = _due(ayu, channel, kind="promotion")
    _incident(ayu, severity=3)
    content_settings_update(actor=ayu, hold_enabled=True, hold_at_severity=3)
    assert _sweep() == set()
    promo.refresh_from_db()
    assert promo.status == "held"


def test_a_released_variant_goes_out_during_the_crisis(in_brand_a, ayu, budi):
    from django.core.exceptions import PermissionDenied

    from content.services import variant_release

    channel = make_channel(ayu)
    promo = _due(ayu, channel, kind="promotion")
    _incident(ayu, severity=1)
    _sweep()
    with pytest.raises(PermissionDenied):
        variant_release(variant_id=promo.pk, actor=budi)
    released = variant_release(variant_id=promo.pk, actor=ayu)
    assert released.status == "scheduled" and released.hold_released
    assert _sweep() == {promo.pk}
    assert promo.item.history.filter(action="released").count() == 1


def test_after_the_incident_held_posts_are_proposed_spread_out_and_never_published(in_brand_a, ayu):
    from content.models import Variant
    from content.services.holds import BRAND_GAP, PLATFORM_GAP
    from incidents.services.incidents import incident_transition

    channel = make_channel(ayu)
    held = [
        _due(ayu, channel, kind="promotion", title=f"Promo {n}", platform=p)
        for n, p in enumerate(["x", "x", "facebook"])
    ]
    incident = _incident(ayu, severity=1)
    _sweep()
    incident_transition(incident_id=incident.pk, actor=ayu, to_status="resolved", summary="Fixed")
    now = timezone.now()
    assert _sweep(now=now) == set()  # resolved: nothing goes out by itself
    variants = {v.pk: v for v in Variant.objects.filter(pk__in=[v.pk for v in held])}
    assert {v.status for v in variants.values()} == {"held"}
    times = [variants[v.pk].proposed_at for v in held]
    assert times[0] >= now + timedelta(hours=1)
    assert times[1] - times[0] >= PLATFORM_GAP  # same platform (x)
    assert times[2] - times[0] >= BRAND_GAP
    assert len(set(times)) == 3
    assert _notes(incident)[-1] == "Content calendar hold ended: 3 held post(s) proposed for rescheduling."
    assert _sweep(now=now + timedelta(days=2)) == set()  # a proposal is never taken without staff


def test_accepting_a_proposal_schedules_it_at_the_proposed_time(client_a, in_brand_a, ayu):
    from content.models import Variant
    from incidents.services.incidents import incident_transition

    channel = make_channel(ayu)
    promo = _due(ayu, channel, kind="promotion")
    incident = _incident(ayu, severity=1)
    _sweep()
    incident_transition(incident_id=incident.pk, actor=ayu, to_status="resolved", summary="Fixed")
    _sweep()
    proposed = Variant.objects.get(pk=promo.pk).proposed_at
    client_a.login_as(ayu).post(
        "/admin/content/variant/", {"action": "release_held", "_selected_action": [str(promo.pk)]}
    )
    promo.refresh_from_db()
    assert promo.status == "scheduled" and promo.scheduled_at == proposed


def test_release_through_the_api(client_a, api_key_a, in_brand_a, ayu):
    channel = make_channel(ayu)
    promo = _due(ayu, channel, kind="promotion")
    _incident(ayu, severity=1)
    _sweep()
    listed = client_a.get("/api/v1/content/variants/?status=held", **bearer(api_key_a)).json()["results"]
    assert listed[0]["hold_reason"].startswith("Held: incident #")
    at = (timezone.now() + timedelta(hours=3)).isoformat()
    response = client_a.post(
        f"/api/v1/content/variants/{promo.pk}/release/",
        {"at": at},
        content_type="application/json",
        **bearer(api_key_a),
    )
    assert response.status_code == 200 and response.json()["status"] == "scheduled"
    again = client_a.post(
        f"/api/v1/content/variants/{promo.pk}/release/",
        {},
        content_type="application/json",
        **bearer(api_key_a),
    )
    assert again.status_code == 400


def test_a_crisis_on_brand_b_holds_nothing_on_brand_a(brand_a, brand_b, ayu, citra):
    from django_tenants.utils import tenant_context

    with tenant_context(brand_b):
        from incidents.services.incidents import incident_open

        incident_open(actor=None, title="Batik luntur", severity=1)
    with tenant_context(brand_a):
        channel = make_channel(ayu)
        promo = _due(ayu, channel, kind="promotion")
        assert _sweep() == {promo.pk}


def test_held_variants_page_shows_why(client_a, in_brand_a, ayu):
    channel = make_channel(ayu)
    promo = _due(ayu, channel, kind="promotion")
    _incident(ayu, severity=1)
    _sweep()
    html = client_a.login_as(ayu).get(f"/admin/content/variant/{promo.pk}/change/").content.decode()
    assert "Held: incident #" in html and "Kopi basi di Bandung" in html
