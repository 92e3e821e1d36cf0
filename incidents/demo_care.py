"""Care cases for the demo brand's story, made through the real services: one resolved with its
public closing reply sent, one in private conversation with the customer's DM attached, one just
invited and one new. Runs in the current brand schema; a second run adds nothing."""

from datetime import timedelta

from django.utils import timezone

from incidents.models import CareCase, CrisisRole, Incident, Mention, Response, RosterMember
from incidents.services import care
from incidents.services.intake import mentions_ingest, mentions_score_pending
from incidents.services.responses import response_approve, response_confirm_sent, response_submit
from incidents.services.team import assignment_add
from tenants.models import User

CRISIS_MANAGER_EMAIL = "ayu@suara.test"
CUSTOMER_CARE_EMAIL = "cs@suara.test"

COMPLAINTS = [
    ("demo-care-1", "siti_rahma", "Kopi susu gula aren saya basi, sudah dua kali! Kecewa sekali.", "id"),
    ("demo-care-2", "rudi.h", "Ordered a cold brew, got a melted mess and no reply from the outlet.", "en"),
    ("demo-care-3", "mawar_22", "Pesanan online saya belum datang dari kemarin, tolong dicek.", "id"),
    ("demo-care-4", "yoga.pratama", "Struk saya ditagih dua kali di gerai Bandung.", "id"),
]


def _send(response: Response, *, drafter, approver) -> None:
    """Take a drafted response through submission, approval and the integration's confirmation."""
    response = response_submit(response_id=response.pk, actor=drafter)
    if response.state == Response.State.PENDING_APPROVAL:
        response = response_approve(response_id=response.pk, actor=approver)
    response_confirm_sent(response_id=response.pk, external_id=f"demo-sent-{response.pk}")


def care_demo_seed() -> int:
    """Create the demo care cases if the brand has none. Returns how many were opened."""
    if CareCase.objects.exists():
        return 0
    manager = User.objects.filter(email=CRISIS_MANAGER_EMAIL).first()
    carer = User.objects.filter(email=CUSTOMER_CARE_EMAIL).first()
    if manager is None or carer is None:
        return 0
    owner, _ = RosterMember.objects.get_or_create(
        user=carer, role=CrisisRole.CUSTOMER_CARE, defaults={"name": carer.name, "email": carer.email}
    )
    incident = Incident.objects.filter(is_drill=False).order_by("-opened_at").first()
    if incident is not None:
        assignment_add(incident_id=incident.pk, actor=manager, member_id=owner.pk)
    now = timezone.now()
    mentions_ingest(
        rows=[
            {
                "platform": "instagram",
                "external_id": external_id,
                "kind": "comment",
                "author_handle": handle,
                "text": text,
                "language": language,
                "posted_at": (now - timedelta(hours=30 - 6 * n)).isoformat(),
            }
            for n, (external_id, handle, text, language) in enumerate(COMPLAINTS)
        ]
    )
    mentions = {m.external_id: m for m in Mention.objects.filter(external_id__startswith="demo-care-")}

    def open_case(external_id, **details):
        return care.care_case_open(
            actor=carer,
            mention_ids=[mentions[external_id].pk],
            incident_id=incident.pk if incident else None,
            owner_id=owner.pk,
            **details,
        )

    # Resolved: invited, called, the customer's DM, resolved, the closing reply sent.
    resolved = open_case("demo-care-1", customer_name="Siti Rahma", customer_phone="+62 812 5550 1234")
    resolved = care.care_case_invite(actor=carer, case_id=resolved.pk, language="id")
    _send(resolved.invitation, drafter=carer, approver=manager)
    _dm("demo-care-dm-1", "siti_rahma", "Ini nomor pesanan saya: KN-88213.", at=now - timedelta(hours=20))
    care.care_contact_log(
        actor=carer,
        case_id=resolved.pk,
        channel="call",
        direction="outgoing",
        summary="Called Siti, apologised, replacement voucher sent by SMS.",
        at=now - timedelta(hours=19),
    )
    resolved = care.care_case_close(
        actor=carer, case_id=resolved.pk, state="resolved", outcome="Replacement voucher; outlet retrained."
    )
    _send(resolved.closing_reply, drafter=carer, approver=manager)

    # In private conversation: invited, the customer's DM attached.
    private = open_case("demo-care-2", customer_email="rudi.h@example.com")
    private = care.care_case_invite(actor=carer, case_id=private.pk, language="en")
    _send(private.invitation, drafter=carer, approver=manager)
    _dm("demo-care-dm-2", "rudi.h", "Hi, order #CB-1102 at the Dago outlet.", at=now - timedelta(hours=2))

    # Invited (the invitation waits for approval) and new.
    invited = open_case("demo-care-3")
    care.care_case_invite(actor=carer, case_id=invited.pk, language="id")
    open_case("demo-care-4")
    # Score the demo's complaints and DMs now, as a running worker would, so every page of the demo
    # shows them with their sentiment and language even before the worker starts.
    mentions_score_pending()
    return 4


def _dm(external_id: str, handle: str, text: str, *, at) -> None:
    mentions_ingest(
        rows=[
            {
                "platform": "instagram",
                "external_id": external_id,
                "kind": "direct_message",
                "author_handle": handle,
                "text": text,
                "posted_at": at.isoformat(),
            }
        ]
    )
