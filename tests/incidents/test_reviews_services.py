"""Post-crisis reviews in the services: one review per incident however often it is resolved,
figures equal to hand-computed values on a known crisis, customers surveyed once after the delay,
reminders, team feedback, action items, lessons into a new crisis-plan version, completion."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.models import (
    CrisisPlanVersion,
    Incident,
    IncidentMention,
    MetricSample,
    Review,
    ReviewActionItem,
    ReviewFeedback,
)
from incidents.services import reviews as review_services
from incidents.services.incidents import incident_open, incident_transition
from incidents.services.team import assignment_add
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_mention

pytestmark = pytest.mark.django_db

H = timedelta(hours=1)


def _resolve(incident, actor, summary="Fixed"):
    return incident_transition(incident_id=incident.pk, actor=actor, to_status="resolved", summary=summary)


@pytest.fixture
def known_crisis(in_brand_a, ayu, ayu_member):
    """Opened at T, first response at T+30 min, resolved at T+10 h, looked at at T+40 h.
    Mentions: before window (T-10h..T) 10 total, 1 negative; during 20 total, 15 negative;
    after (T+10h..T+20h) 10 total, 2 negative. Followers: 1000 → 940 on instagram."""
    incident = incident_open(actor=ayu, title="Kopi basi", severity=2)
    assignment_add(incident_id=incident.pk, actor=ayu, member_id=ayu_member.pk)
    t = timezone.now().replace(microsecond=0) - timedelta(hours=40)
    first_negative = make_mention(posted_at=t - 2 * H + timedelta(minutes=5), sentiment_band="negative")
    IncidentMention.objects.create(incident=incident, mention=first_negative)
    for i in range(9):
        make_mention(posted_at=t - 9 * H + i * timedelta(minutes=30), sentiment_band="neutral")
    for i in range(20):
        make_mention(
            posted_at=t + i * timedelta(minutes=25), sentiment_band="negative" if i < 15 else "positive"
        )
    # After: day 0 (T+10h..T+34h) 10 mentions, 2 negative (20 % → within 5 points of 10 %? no: 20 > 15).
    for i in range(10):
        make_mention(
            posted_at=t + 10 * H + i * timedelta(minutes=50),
            sentiment_band="negative" if i < 2 else "neutral",
        )
    # Day 1 (T+34h..T+58h, ended? no: now is T+40h) — a day not yet over never counts.
    make_mention(posted_at=t + 35 * H, sentiment_band="neutral")
    make_mention(posted_at=t - H, sentiment_band="neutral", is_own=True)  # the brand's own: ignored
    MetricSample.objects.create(platform="instagram", measured_at=t - 3 * H, followers=1000)
    MetricSample.objects.create(platform="instagram", measured_at=t + 15 * H, followers=940)
    Incident.objects.filter(pk=incident.pk).update(opened_at=t, first_response_at=t + timedelta(minutes=30))
    incident.refresh_from_db()
    return incident, t


def test_resolving_opens_one_review_and_queues_its_figures(
    crisis_incident, ayu, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    assert review.state == Review.State.OPEN and review.outbox_state == "pending"
    assert callbacks  # the figures task is handed over after commit
    # The same request again, and a reopen + resolve: still one review.
    _resolve(crisis_incident, ayu)
    assert Review.objects.filter(incident=crisis_incident).count() == 1


def test_review_is_due_by_the_severity_policy(crisis_incident, ayu):
    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    assert timedelta(days=4, hours=23) < review.due_at - review.opened_at <= timedelta(days=5, minutes=1)


def test_figures_match_the_hand_computed_values(known_crisis, ayu):
    incident, t = known_crisis
    _resolve(incident, ayu)
    Incident.objects.filter(pk=incident.pk).update(resolved_at=t + 10 * H)
    review = Review.objects.get(incident=incident)
    assert review_services.review_figures_compute(review_id=review.pk, now=t + 40 * H)
    review.refresh_from_db()
    f = review.figures
    assert f["time_to_detect_s"] == int((2 * H - timedelta(minutes=5)).total_seconds())
    assert f["time_to_first_response_s"] == 1800
    assert f["time_to_resolve_s"] == 36000
    assert (f["negative_volume_before"], f["negative_volume_during"], f["negative_volume_after"]) == (
        1,
        15,
        2,
    )
    assert (f["negative_share_before"], f["negative_share_during"], f["negative_share_after"]) == (
        0.1,
        0.75,
        0.2,
    )
    assert f["sentiment_recovery_days"] is None  # 20 % is not within 5 points of 10 %; day 1 not over
    assert f["follower_change"] == {"instagram": -60}
    assert f["csat"] is None and f["survey_invitations"] == 0
    assert set(review.figures_method) >= {"time_to_resolve_s", "negative_volume", "sentiment_recovery_days"}
    assert review.outbox_state == "done"
    # A second run of the same request finds the work taken.
    assert not review_services.review_figures_compute(review_id=review.pk)


def test_recovery_is_the_first_whole_day_back_in_the_band(known_crisis, ayu):
    incident, t = known_crisis
    _resolve(incident, ayu)
    Incident.objects.filter(pk=incident.pk).update(resolved_at=t + 10 * H)
    # Day 1 after resolution becomes 1 negative out of 10 (10 %, inside the band) and is over.
    for i in range(9):
        make_mention(posted_at=t + 36 * H + i * H, sentiment_band="negative" if i == 0 else "neutral")
    review = Review.objects.get(incident=incident)
    review_services.review_figures_compute(review_id=review.pk, now=t + 60 * H)
    review.refresh_from_db()
    assert review.figures["sentiment_recovery_days"] == 1


def test_recompute_requests_the_figures_again(crisis_incident, ayu):
    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    review_services.review_figures_compute(review_id=review.pk)
    review = review_services.review_recompute(review_id=review.pk, actor=ayu)
    assert review.outbox_state == "pending"
    assert review_services.review_figures_compute(review_id=review.pk)


def test_customers_are_surveyed_once_after_the_delay(crisis_incident, ayu, settings):
    from surveys.models import Invitation

    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    review_services.review_customer_add(review_id=review.pk, actor=ayu, name="Sari", email="SARI@example.com")
    review_services.review_customer_add(review_id=review.pk, actor=ayu, name="Sari", email="sari@example.com")
    review_services.review_customer_add(review_id=review.pk, actor=ayu, phone="+62 811 000")
    assert review_services.review_surveys_send_due(now=timezone.now()) == 0  # not yet: 48 h delay
    later = timezone.now() + timedelta(hours=settings.REVIEW_SURVEY_DELAY_HOURS + 1)
    assert review_services.review_surveys_send_due(now=later) == 2
    assert review_services.review_surveys_send_due(now=later) == 0
    invitations = Invitation.objects.filter(incident_id=crisis_incident.pk)
    assert sorted(i.email or i.phone for i in invitations) == ["+62 811 000", "sari@example.com"]
    assert invitations.first().survey.template == "post_crisis"


def test_the_timeline_says_how_many_customers_could_not_be_reached(crisis_incident, ayu):
    from incidents.models import TimelineEntry
    from surveys.models import Invitation

    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    review_services.review_customer_add(review_id=review.pk, actor=ayu, email="sari@example.com")
    review_services.review_customer_add(review_id=review.pk, actor=ayu, phone="+62 811 000")
    assert review_services.review_surveys_send_due(now=review.survey_due_at) == 2
    entry = TimelineEntry.objects.filter(incident=crisis_incident, text__startswith="Satisfaction").get()
    assert entry.text == (
        "Satisfaction survey sent to 1 affected customer(s); 1 could not be reached (only a phone, "
        "and the brand has no messaging channel enabled)"
    )
    # The invitation itself says why, for staff to retry once a channel is set up.
    unreachable = Invitation.objects.get(phone="+62 811 000")
    assert unreachable.outbox_state == "failed" and "no messaging channel" in unreachable.outbox_error


def test_opted_out_customers_are_not_surveyed(crisis_incident, ayu):
    from surveys.services.invitations import invitation_opt_out, survey_send_for_incident

    first = survey_send_for_incident(
        incident_id=crisis_incident.pk, brand_name="Kopi", recipients=[{"email": "tidak@example.com"}]
    )
    invitation_opt_out(invitation_id=first[0].pk)
    other = incident_open(actor=ayu, title="Lagi", severity=3)
    assert (
        survey_send_for_incident(
            incident_id=other.pk, brand_name="Kopi", recipients=[{"email": "tidak@example.com"}]
        )
        == []
    )


def test_drills_are_never_surveyed(in_brand_a, ayu):
    drill = incident_open(actor=ayu, title="Latihan", severity=2, is_drill=True)
    _resolve(drill, ayu)
    review = Review.objects.get(incident=drill)
    assert review.is_drill
    review_services.review_customer_add(review_id=review.pk, actor=ayu, email="x@example.com")
    assert review_services.review_surveys_send_due(now=timezone.now() + timedelta(days=30)) == 0


def test_bad_customer_contact_is_refused_with_field_errors(crisis_incident, ayu):
    from tenants.errors import DomainError

    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    with pytest.raises(DomainError) as exc:
        review_services.review_customer_add(review_id=review.pk, actor=ayu, email="nope", phone="abc")
    assert set(exc.value.field_errors) == {"email", "phone"}
    assert not review.customers.exists()


def test_team_is_asked_for_feedback_and_answers_once(crisis_incident, ayu, ayu_member):
    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=ayu_member.pk)
    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    assert ReviewFeedback.objects.filter(review=review, member=ayu_member, answered_at__isnull=True).exists()
    review_services.review_feedback_submit(review_id=review.pk, actor=ayu, rating=4, text="Cepat")
    feedback = review_services.review_feedback_submit(review_id=review.pk, actor=ayu, rating=5, text="Baik")
    assert (feedback.rating, ReviewFeedback.objects.filter(review=review).count()) == (5, 1)


def test_owner_is_reminded_then_admins_told_when_overdue(crisis_incident, ayu, ayu_member):
    from incidents.models import Notification

    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=ayu_member.pk)
    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    assert review.owner_id == ayu.pk
    before = Notification.objects.count()
    soon = review.due_at - timedelta(hours=2)
    assert review_services.review_reminders_send(now=soon)["review_reminders"] == 1
    assert review_services.review_reminders_send(now=soon)["review_reminders"] == 0
    assert Notification.objects.filter(user=ayu).count() > 0 and Notification.objects.count() > before
    late = review_services.review_reminders_send(now=review.due_at + timedelta(minutes=1))
    assert late["review_escalations"] == 1


def test_action_items_need_a_reason_to_be_dropped(crisis_incident, ayu, ayu_member):
    from tenants.errors import DomainError

    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    item = review_services.review_action_item_add(
        review_id=review.pk,
        actor=ayu,
        title="Audit gudang",
        owner_id=ayu_member.pk,
        due_at=timezone.now() + H,
    )
    with pytest.raises(DomainError):
        review_services.review_action_item_update(item_id=item.pk, actor=ayu, status="not_doing")
    item = review_services.review_action_item_update(
        item_id=item.pk, actor=ayu, status="not_doing", reason="Dijual"
    )
    assert item.status == ReviewActionItem.Status.NOT_DOING
    assert review_services.review_reminders_send()["action_item_reminders"] == 0  # not outstanding


def test_accepted_lessons_go_into_a_draft_whose_publication_links_the_review(crisis_incident, ayu):
    from incidents.services.plans import crisis_plan_draft_publish, crisis_plan_publish

    crisis_plan_publish(actor=ayu, roles_and_contacts="Ayu: manajer krisis", guidelines="Jawab dalam 1 jam")
    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    review_services.review_lesson_add(
        review_id=review.pk, actor=ayu, text="Siapkan pernyataan lebih awal", accepted=True
    )
    review_services.review_lesson_add(review_id=review.pk, actor=ayu, text="Belum disetujui")
    draft = review_services.review_plan_update(review_id=review.pk, actor=ayu)
    # A draft: no number yet, the current version's text with the lessons, nothing published.
    assert (draft.state, draft.version, draft.based_on_version) == ("draft", None, 1)
    assert draft.roles_and_contacts == "Ayu: manajer krisis"
    assert "Siapkan pernyataan lebih awal" in draft.guidelines and "Belum disetujui" not in draft.guidelines
    assert draft.guidelines.startswith("Jawab dalam 1 jam")
    assert [c["text"] for c in draft.proposed_changes] == ["Siapkan pernyataan lebih awal"]
    assert draft.proposed_changes[0]["incident_number"] == crisis_incident.number
    assert review_services.review_plan_update(review_id=review.pk, actor=ayu) == draft
    assert CrisisPlanVersion.objects.filter(state="published").count() == 1
    review.refresh_from_db()
    assert review.plan_version is None and review.steps["plan"]["state"] == "pending"

    version = crisis_plan_draft_publish(draft_id=draft.pk, actor=ayu)
    assert (version.pk, version.version, version.state) == (draft.pk, 2, "published")
    review.refresh_from_db()
    assert review.plan_version == version and review.steps["plan"]["state"] == "done"
    assert list(version.source_reviews.all()) == [review]
    assert crisis_plan_draft_publish(draft_id=draft.pk, actor=ayu) == version  # a repeat: no v3
    assert CrisisPlanVersion.objects.count() == 2


def test_completing_the_review_moves_the_incident_to_reviewed(crisis_incident, ayu):
    from tenants.errors import DomainError

    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    with pytest.raises(DomainError):  # root-cause notes are required first, and nothing is written
        review_services.review_complete(review_id=review.pk, actor=ayu, summary="Selesai")
    assert Review.objects.get(pk=review.pk).state == Review.State.OPEN
    Incident.objects.filter(pk=crisis_incident.pk).update(root_cause_notes="Rantai dingin putus")
    review = review_services.review_complete(review_id=review.pk, actor=ayu, summary="Selesai")
    assert review.state == Review.State.COMPLETED
    assert Incident.objects.get(pk=crisis_incident.pk).status == Incident.Status.REVIEWED


def test_client_viewer_cannot_change_a_review(crisis_incident, ayu, budi):
    from django.core.exceptions import PermissionDenied

    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    with pytest.raises(PermissionDenied):
        review_services.review_lesson_add(review_id=review.pk, actor=budi, text="x")
    assert not review.lessons.exists()


def test_the_active_crisis_manager_owns_the_review(crisis_incident, ayu, ayu_member, person):
    from incidents.services.team import assignment_end

    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=ayu_member.pk)
    # A stand-in manager assigned later whose role has ended does not own the review.
    stand_in = person("crisis_manager")
    later = assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=stand_in.roster.pk)
    assignment_end(assignment_id=later.pk, actor=ayu)
    _resolve(crisis_incident, ayu)
    assert Review.objects.get(incident=crisis_incident).owner_id == ayu.pk


def test_review_webhooks_for_real_incidents_only(crisis_incident, ayu, webhook_all):
    from incidents.models import WebhookDelivery

    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    Incident.objects.filter(pk=crisis_incident.pk).update(root_cause_notes="Gudang panas")
    review_services.review_complete(review_id=review.pk, actor=ayu, summary="Selesai")
    events = list(WebhookDelivery.objects.filter(event__startswith="review.").values_list("event", flat=True))
    assert sorted(events) == ["review.completed", "review.opened"]
    opened = WebhookDelivery.objects.get(event="review.opened")
    assert opened.payload["incident"] == str(crisis_incident.pk)

    drill = incident_open(actor=ayu, title="Latihan", severity=2, is_drill=True)
    _resolve(drill, ayu)
    assert WebhookDelivery.objects.filter(event="review.opened").count() == 1


def test_a_reviewed_incident_reopened_and_resolved_again_reopens_its_review(crisis_incident, ayu, ayu_member):
    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=ayu_member.pk)
    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    Incident.objects.filter(pk=crisis_incident.pk).update(root_cause_notes="Gudang panas")
    review_services.review_complete(review_id=review.pk, actor=ayu, summary="Selesai")
    incident_transition(incident_id=crisis_incident.pk, actor=ayu, to_status="responding", reason="Kambuh")
    _resolve(crisis_incident, ayu, summary="Diganti lagi")
    review.refresh_from_db()
    assert (review.state, review.outbox_state, Review.objects.count()) == (Review.State.OPEN, "pending", 1)
    review = review_services.review_complete(review_id=review.pk, actor=ayu, summary="Selesai lagi")
    assert Incident.objects.get(pk=crisis_incident.pk).status == Incident.Status.REVIEWED


def test_steps_follow_the_severity_policy_and_the_work(crisis_incident, ayu, settings):
    from tenants.errors import DomainError

    _resolve(crisis_incident, ayu)  # SEV2: every step
    review = Review.objects.get(incident=crisis_incident)
    assert set(review.steps) == {"figures", "survey", "feedback", "debrief", "lessons", "follow_ups", "plan"}
    review_services.review_figures_compute(review_id=review.pk)
    review_services.review_surveys_send_due(now=review.survey_due_at)
    review.refresh_from_db()
    assert review.steps["figures"]["state"] == "done" and review.steps["survey"]["state"] == "done"
    with pytest.raises(DomainError):
        review_services.review_step_set(review_id=review.pk, actor=ayu, step="debrief", state="skipped")
    review = review_services.review_step_set(
        review_id=review.pk, actor=ayu, step="debrief", state="skipped", reason="Tim kecil"
    )
    assert review.steps["debrief"] == {**review.steps["debrief"], "state": "skipped", "reason": "Tim kecil"}
    low = incident_open(actor=ayu, title="Kecil", severity=4)
    _resolve(low, ayu)
    assert set(Review.objects.get(incident=low).steps) == {"figures", "survey", "lessons"}


def test_review_figures_count_approvals_the_unanswered_peak_and_moderation_by_rule(
    known_crisis, ayu, guidelines
):
    """The period figures of the client report, applied to one incident."""
    from incidents.models import Response
    from incidents.services.moderation import moderation_act

    incident, t = known_crisis
    # Three complaints linked to the incident: open at once from T+1h20 until the first answer.
    complaints = [
        make_mention(posted_at=t + H + i * timedelta(minutes=10), sentiment_band="negative") for i in range(3)
    ]
    for i, complaint in enumerate(complaints):
        IncidentMention.objects.create(incident=incident, mention=complaint)
        if i < 2:
            type(complaint).objects.filter(pk=complaint.pk).update(answered_at=t + 2 * H + i * H)
    answered_then_new = make_mention(posted_at=t + 5 * H, sentiment_band="negative")
    IncidentMention.objects.create(incident=incident, mention=answered_then_new)
    for minutes, needs in ((20, True), (40, True), (5, False)):
        response = Response.objects.create(
            incident=incident, kind="statement", language="id", text="Mohon maaf", requires_approval=needs
        )
        Response.objects.filter(pk=response.pk).update(
            created_at=t + H, approved_at=t + H + timedelta(minutes=minutes), sent_at=t + 2 * H
        )
    moderation_act(
        actor=ayu,
        mention_id=complaints[2].pk,
        action="hide",
        rule_number=1,
        reason="Kata-kata kasar kepada staf gerai",
        incident_id=incident.pk,
    )
    _resolve(incident, ayu)
    Incident.objects.filter(pk=incident.pk).update(resolved_at=t + 10 * H)
    review = Review.objects.get(incident=incident)
    review_services.review_figures_compute(review_id=review.pk, now=t + 40 * H)
    review.refresh_from_db()
    f = review.figures
    # The first negative mention of the fixture is linked too (never answered): 1 + 3 at T+1h20,
    # one answered at T+2h and one at T+3h, one more posted at T+5h: the peak is 4.
    assert f["unanswered_complaints_peak"] == 4
    assert (f["responses_sent"], f["responses_approved"]) == (3, 2)
    assert f["approval_median_s"] == 1800 and f["approval_p90_s"] == 2280
    assert [(m["action"], m["count"]) for m in f["moderation_by_rule"]] == [("hide", 1)]
    assert f["moderation_by_rule"][0]["rule"].startswith("1. ")
    assert {"approval", "unanswered_complaints_peak", "moderation_by_rule"} <= set(review.figures_method)


def test_each_brand_sets_how_long_after_resolution_its_customers_are_surveyed(
    crisis_incident, ayu, budi, client_a, settings
):
    from django.core.exceptions import PermissionDenied

    from incidents.models import CrisisSettings
    from incidents.services.incidents import crisis_settings_update
    from tenants.errors import DomainError

    with pytest.raises((DomainError, PermissionDenied)):  # a staff setting: Budi, a client, is refused
        crisis_settings_update(actor=budi, review_survey_delay_hours=0)
    crisis_settings_update(actor=ayu, review_survey_delay_hours=0)
    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    crisis_incident.refresh_from_db()
    assert review.survey_due_at == crisis_incident.resolved_at  # at once, not after the default 48 h
    review_services.review_customer_add(review_id=review.pk, actor=ayu, name="Sari", email="sari@example.com")
    assert review_services.review_surveys_send_due(now=timezone.now()) == 1
    # Left empty, the installation's default applies; more than 30 days is refused, with the field named.
    crisis_settings_update(actor=ayu, review_survey_delay_hours=None)
    assert review_services.review_survey_delay_hours() == settings.REVIEW_SURVEY_DELAY_HOURS
    with pytest.raises(DomainError) as refused:
        crisis_settings_update(actor=ayu, review_survey_delay_hours=1000)
    assert "review_survey_delay_hours" in refused.value.field_errors
    assert CrisisSettings.objects.get().review_survey_delay_hours is None
    page = client_a.login_as(ayu).get(
        f"/admin/incidents/crisissettings/{CrisisSettings.objects.get().pk}/change/"
    )
    assert 'name="review_survey_delay_hours"' in page.content.decode()


def test_care_cases_of_the_incident_add_their_customers_once(crisis_incident, ayu):
    """Mentions carry only handles; a care case is where a complaint got a contact."""
    from incidents.models import ReviewCustomer
    from incidents.services.care import care_case_open
    from surveys.models import Invitation

    def case(handle, incident=crisis_incident, **contact):
        mention = make_mention(author_handle=handle, sentiment_band="negative")
        incident_id = incident.pk if incident else None
        return care_case_open(actor=ayu, mention_ids=[mention.pk], incident_id=incident_id, **contact)

    case("@sari", customer_name="Sari", customer_email="SARI@example.com")
    case("@joko", customer_phone="+62 812 111")
    case("@anon")  # no contact: nobody to ask
    case("@other", incident=None, customer_email="other@example.com")  # not this incident's
    _resolve(crisis_incident, ayu)
    review = Review.objects.get(incident=crisis_incident)
    review_services.review_customer_add(review_id=review.pk, actor=ayu, name="Sari", email="sari@example.com")
    later = timezone.now() + timedelta(days=3)
    assert review_services.review_surveys_send_due(now=later) == 2
    care = ReviewCustomer.objects.filter(review=review, source=ReviewCustomer.Source.CARE_CASE)
    assert [(c.mention_author, c.phone) for c in care] == [("@joko", "+62 812 111")]  # Sari was there already
    assert sorted(i.email or i.phone for i in Invitation.objects.filter(incident_id=crisis_incident.pk)) == [
        "+62 812 111",
        "sari@example.com",
    ]
    assert review_services.review_surveys_send_due(now=later) == 0  # nobody twice
