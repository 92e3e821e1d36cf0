"""The demo story of post-crisis reviews in Kopi Nusantara: one incident reviewed end to end
(figures, affected customers who received links and answered, team feedback, follow-ups, a lesson
in a published crisis-plan version linked to the review), one resolved incident whose review is
open and overdue (its lesson proposed in the plan's open draft), and (the
brand now asking for the client's sign-off) one whose completed review waits for the demo client
approver on the incident's report page. The brand's post-crisis survey also asks for consent to
quote: both customers who answered are delighted and agree, each choosing how a quote may name
them, and staff approve them as testimonials for the content calendar. A third customer, known to
the brand's CRM only by a phone number, could not be reached: the brand has no messaging channel
yet, and the invitation and the timeline say so, pointing staff to the channel's page."""

from datetime import timedelta

from django.db import connection, transaction
from django.utils import timezone

from incidents.models import (
    CrisisRole,
    CrisisSettings,
    Incident,
    IncidentMention,
    Mention,
    MetricSample,
    Review,
    RosterMember,
)
from incidents.services import plans as plan_services
from incidents.services import reviews as review_services
from incidents.services.incidents import incident_open, incident_transition
from incidents.services.settings import crisis_settings_get
from incidents.services.team import assignment_add
from surveys.models import Invitation, Question, Survey, TestimonialCandidate
from surveys.services.answering import response_submit
from surveys.services.building import question_add, survey_create_from_template, survey_open
from surveys.services.invitations import POST_CRISIS_TEMPLATE
from surveys.services.testimonials import testimonial_review
from tenants.models import User

REVIEWED_TITLE = "Kopi basi di gerai Bandung"
OVERDUE_TITLE = "Antrean aplikasi pesan-antar macet"
SIGN_OFF_TITLE = "Harga promo salah di aplikasi"


def _member(email: str, role: str) -> RosterMember | None:
    user = User.objects.filter(email=email).first()
    if user is None:
        return None
    return RosterMember.objects.get_or_create(
        user=user, role=role, defaults={"name": user.get_full_name() or email, "email": email}
    )[0]


# (name, email, CSAT, what they wrote, how a quote may name them)
CUSTOMERS = [
    (
        "Rina Kartika",
        "rina@pelanggan.test",
        5,
        "Kopinya langsung diganti dan baristanya ramah sekali.",
        "first_name",
    ),
    ("Agus Santoso", "agus@pelanggan.test", 5, "Cepat tanggap, saya tetap langganan.", "initials"),
]
# Imported from the brand's CRM with its own customer id; only a phone, so only a messaging channel
# (not set up in the demo, which sends nothing outside) would reach her.
PHONE_ONLY_CUSTOMER = {
    "external_id": "crm-10432",
    "name": "Dewi Lestari",
    "phone": "+62 812 5550 1043",
    "language": "id",
    "mention_author": "@dewi.ngopi",
}


def _post_crisis_survey_with_consent() -> None:
    """The brand's post-crisis survey, made before the review sends it, with the survey app's
    consent question added, so the answers can say whether and how a customer may be quoted."""
    if Survey.objects.filter(template=POST_CRISIS_TEMPLATE).exists():
        return
    brand = connection.tenant.name
    survey = survey_create_from_template(template=POST_CRISIS_TEMPLATE, brand_name=brand)
    question_add(
        survey_id=survey.pk,
        kind=Question.Kind.CONSENT,
        required=False,
        text_en=f"May we quote your feedback on {brand}'s channels? You choose how we name you.",
        text_id=f"Bolehkah kami mengutip masukan Anda di kanal {brand}? Anda memilih bagaimana kami menyebut Anda.",
    )
    survey_open(survey_id=survey.pk)


def _mentions(start, hours: int, per_hour: int, negative_every: int, prefix: str) -> list[Mention]:
    made = []
    for h in range(hours):
        for i in range(per_hour):
            made.append(
                Mention.objects.get_or_create(
                    platform="instagram",
                    external_id=f"demo-{prefix}-{h}-{i}",
                    defaults={
                        "kind": Mention.Kind.COMMENT,
                        "author_handle": f"pelanggan_{prefix}{h}{i}",
                        "text": "Kopinya basi!" if i % negative_every == 0 else "Sudah diganti, terima kasih",
                        "posted_at": start + timedelta(hours=h, minutes=i * 7),
                        "sentiment_band": "negative" if i % negative_every == 0 else "neutral",
                        "sentiment": -0.7 if i % negative_every == 0 else 0.0,
                        "language": "id",
                        "scored_at": timezone.now(),
                    },
                )[0]
            )
    return made


def reviews_demo_story() -> str:
    """Idempotent: an incident already in the story is left as it is."""
    if Incident.objects.filter(title=REVIEWED_TITLE).exists():
        return "already there"
    ayu = User.objects.filter(email="ayu@suara.test").first()
    manager = _member("ayu@suara.test", CrisisRole.CRISIS_MANAGER)
    specialist = _member("sari@suara.test", CrisisRole.SOCIAL_MEDIA_SPECIALIST)
    if ayu is None or manager is None:
        return "skipped (no crisis manager)"
    now = timezone.now()
    opened = now - timedelta(days=6)
    with transaction.atomic():
        _mentions(opened - timedelta(hours=12), 12, 2, 4, "before")
        during = _mentions(opened, 12, 4, 1, "during")
        _mentions(opened + timedelta(hours=12), 24, 2, 3, "after")
        for days, followers in ((7, 52000), (4, 51200)):
            MetricSample.objects.get_or_create(
                platform="instagram",
                measured_at=now - timedelta(days=days),
                defaults={"followers": followers},
            )
        incident = incident_open(
            actor=ayu, title=REVIEWED_TITLE, severity=2, source_category="product_defect"
        )
        IncidentMention.objects.bulk_create(
            [IncidentMention(incident=incident, mention=m) for m in during[:10]], ignore_conflicts=True
        )
        for member in (manager, specialist):
            if member:
                assignment_add(incident_id=incident.pk, actor=ayu, member_id=member.pk, role=member.role)
        Incident.objects.filter(pk=incident.pk).update(
            opened_at=opened,
            first_response_at=opened + timedelta(minutes=40),
            root_cause_notes="Rantai dingin putus di gudang Bandung.",
        )
        incident_transition(incident_id=incident.pk, actor=ayu, to_status="resolved", summary="Stok diganti")
        Incident.objects.filter(pk=incident.pk).update(resolved_at=opened + timedelta(hours=12))
        review = Review.objects.get(incident=incident)
        for name, email, *_answers in CUSTOMERS:
            review_services.review_customer_add(review_id=review.pk, actor=ayu, name=name, email=email)
        review_services.review_customers_import(
            review_id=review.pk, actor=ayu, customers=[PHONE_ONLY_CUSTOMER]
        )
        _post_crisis_survey_with_consent()
    review_services.review_surveys_send_due(now=review.survey_due_at)
    said = {email: (score, text, consent) for _name, email, score, text, consent in CUSTOMERS}
    for invitation in Invitation.objects.filter(incident_id=incident.pk).exclude(email=""):
        score, text, consent = said[invitation.email]
        by_kind = {
            Question.Kind.CSAT: score,
            Question.Kind.NPS: 9,
            Question.Kind.LONG_TEXT: text,
            Question.Kind.CONSENT: consent,
        }
        answers = {q.pk: by_kind[q.kind] for q in invitation.survey.questions.all() if q.kind in by_kind}
        response_submit(invitation_id=invitation.pk, answers=answers, language="id")
    # Staff read the delighted customers' quotes and approve them for the content calendar.
    for candidate in TestimonialCandidate.objects.filter(response__invitation__incident_id=incident.pk):
        testimonial_review(candidate_id=candidate.pk, decision="approve", actor=ayu)
    review_services.review_figures_compute(review_id=review.pk)
    review_services.review_feedback_submit(
        review_id=review.pk, actor=ayu, rating=4, text="Respons cepat; pernyataan awal terlambat."
    )
    review_services.review_action_item_add(
        review_id=review.pk,
        actor=ayu,
        title="Audit rantai dingin semua gudang",
        owner_id=manager.pk,
        due_at=now + timedelta(days=14),
        visible_to_client=True,
    )
    review_services.review_lesson_add(
        review_id=review.pk, actor=ayu, text="Siapkan pernyataan penahan untuk cacat produk.", accepted=True
    )
    # The lesson goes into a draft of the crisis plan, which staff publish as the next version.
    draft = review_services.review_plan_update(review_id=review.pk, actor=ayu)
    plan_services.crisis_plan_draft_publish(draft_id=draft.pk, actor=ayu)
    review_services.review_complete(
        review_id=review.pk,
        actor=ayu,
        summary="Sentimen pulih dalam dua hari; pelanggan puas dengan penggantian.",
    )

    with transaction.atomic():
        overdue = incident_open(actor=ayu, title=OVERDUE_TITLE, severity=3)
        assignment_add(incident_id=overdue.pk, actor=ayu, member_id=manager.pk, role=manager.role)
        incident_transition(
            incident_id=overdue.pk, actor=ayu, to_status="resolved", summary="Server dipulihkan"
        )
        Review.objects.filter(incident=overdue).update(due_at=now - timedelta(days=1))
        # Its lesson waits in the plan's open draft as a proposed change, for staff to write in.
        overdue_review = Review.objects.get(incident=overdue)
        review_services.review_lesson_add(
            review_id=overdue_review.pk,
            actor=ayu,
            text="Uji beban aplikasi pesan-antar sebelum setiap promo besar.",
            accepted=True,
        )
        review_services.review_plan_update(review_id=overdue_review.pk, actor=ayu)

    with transaction.atomic():
        crisis_settings_get()
        CrisisSettings.objects.filter(pk=1).update(reviews_need_client_sign_off=True)
        waiting = incident_open(
            actor=ayu, title=SIGN_OFF_TITLE, severity=3, source_category="communication_failure"
        )
        assignment_add(incident_id=waiting.pk, actor=ayu, member_id=manager.pk, role=manager.role)
        Incident.objects.filter(pk=waiting.pk).update(
            root_cause_notes="Harga lama tidak dihapus dari katalog."
        )
        incident_transition(
            incident_id=waiting.pk, actor=ayu, to_status="resolved", summary="Harga dikoreksi"
        )
        review_services.review_complete(
            review_id=Review.objects.get(incident=waiting).pk,
            actor=ayu,
            summary="Harga dikoreksi dalam tiga jam; pelanggan terdampak menerima voucher.",
        )
    return (
        f"reviewed #{incident.number}, review of #{overdue.number} overdue, "
        f"review of #{waiting.number} waiting for the client's sign-off"
    )
