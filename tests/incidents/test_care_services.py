"""Care cases through their services: lifecycle, DMs from intake, closing reply, reminders,
personal data encrypted at rest, erasure and bad input."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from incidents.models import CareCase, CareContact, Mention, Response, TimelineEntry, WebhookDelivery
from incidents.services import care
from incidents.services.intake import mentions_ingest
from incidents.services.responses import response_approve, response_confirm_sent, response_submit
from incidents.services.team import assignment_add
from tenants.errors import DomainError
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_mention, make_person

pytestmark = pytest.mark.django_db

EMAIL = "siti.rahma@example.com"


@pytest.fixture
def complaint(in_brand_a):
    return make_mention(author_handle="siti_r", text="Pesanan saya tidak datang, kecewa!", language="id")


@pytest.fixture
def carer(in_brand_a):
    return make_person("customer_care")


def _open(actor, complaint, **kwargs):
    return care.care_case_open(actor=actor, mention_ids=[complaint.pk], **kwargs)


def test_full_lifecycle_from_complaint_to_answered_closing_reply(ayu, complaint, crisis_incident, carer):
    # On an incident, replies follow the incident's matrix: the carer is on its team.
    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=carer.roster.pk)
    case = _open(
        ayu, complaint, incident_id=crisis_incident.pk, owner_id=carer.roster.pk, customer_email=EMAIL
    )
    assert case.state == CareCase.State.NEW and case.number >= 1
    assert case.due_at == case.opened_at + timedelta(hours=48)

    case = care.care_case_invite(actor=carer, case_id=case.pk)
    assert case.state == CareCase.State.INVITED
    assert (
        case.invitation.kind == Response.Kind.PRIVATE_MESSAGE and case.invitation.mention_id == complaint.pk
    )

    care.care_contact_log(
        actor=carer, case_id=case.pk, channel="call", direction="outgoing", summary="Called Siti"
    )
    case.refresh_from_db()
    assert case.state == CareCase.State.IN_PRIVATE and case.private_contact_at is not None

    case = care.care_case_close(actor=carer, case_id=case.pk, state="resolved", outcome="Refund sent")
    assert case.state == CareCase.State.RESOLVED and case.closed_at is not None
    reply = case.closing_reply
    assert reply.kind == Response.Kind.REPLY and reply.mention_id == complaint.pk
    assert "secara pribadi" in reply.text  # the Indonesian closing text for an Indonesian complaint

    reply = response_submit(response_id=reply.pk, actor=carer)
    if reply.state == Response.State.PENDING_APPROVAL:  # crisis mode on a SEV2 incident
        reply = response_approve(response_id=reply.pk, actor=ayu)
    assert complaint.answered_at is None
    response_confirm_sent(response_id=reply.pk, actor=None, external_id="ig-reply-1")
    complaint.refresh_from_db()
    assert complaint.answered_at is not None

    events = list(
        TimelineEntry.objects.filter(incident=crisis_incident, kind="care").values_list(
            "data__event", flat=True
        )
    )
    assert [e for e in events if e] == ["opened", "invited", "contact", "closed"]
    assert not TimelineEntry.objects.filter(incident=crisis_incident, text__icontains=EMAIL).exists()


def test_opening_twice_for_one_customer_joins_the_open_case(ayu, complaint):
    first = _open(ayu, complaint)
    second_post = make_mention(author_handle="siti_r", platform=complaint.platform)
    second = care.care_case_open(actor=ayu, mention_ids=[second_post.pk])
    assert second.pk == first.pk
    assert first.mention_links.count() == 2
    assert CareCase.objects.count() == 1


def test_incoming_dm_from_intake_attaches_to_the_open_case(ayu, complaint):
    case = _open(ayu, complaint)
    row = {
        "platform": complaint.platform,
        "external_id": "dm-1",
        "kind": "direct_message",
        "author_handle": "siti_r",
        "text": "Nomor saya 0812-3456-7890",
        "posted_at": timezone.now().isoformat(),
    }
    mentions_ingest(rows=[row])
    mentions_ingest(rows=[row])  # a resend attaches nothing twice
    case.refresh_from_db()
    assert case.state == CareCase.State.IN_PRIVATE
    contacts = list(case.contacts.all())
    assert [(c.channel, c.direction) for c in contacts] == [("dm", "incoming")]
    assert case.mention_links.filter(is_private=True).count() == 1


def test_dm_without_an_open_case_is_left_alone(in_brand_a):
    row = {
        "platform": "instagram",
        "external_id": "dm-lonely",
        "kind": "direct_message",
        "author_handle": "nobody",
        "text": "halo",
        "posted_at": timezone.now().isoformat(),
    }
    mentions_ingest(rows=[row])
    assert not CareContact.objects.exists()


def _dm(i: int, handle: str, platform: str = "instagram") -> dict:
    return {
        "platform": platform,
        "external_id": f"dm-bulk-{i}",
        "kind": "direct_message",
        "author_handle": handle,
        "text": "halo kak",
        "posted_at": timezone.now().isoformat(),
    }


def test_a_bulk_of_dms_costs_the_same_queries_as_a_few_and_attaches_only_to_open_cases(
    ayu, complaint, django_assert_num_queries
):
    from django.test.utils import CaptureQueriesContext

    case = _open(ayu, complaint)
    mentions_ingest(rows=[_dm(0, "warm-up")])
    with CaptureQueriesContext(connection) as few:
        mentions_ingest(rows=[_dm(1 + i, f"stranger{i}") for i in range(2)])
    with django_assert_num_queries(len(few)):
        mentions_ingest(rows=[_dm(100 + i, f"other{i}") for i in range(30)])
    # The case's author on the case's platform attaches; the same handle on another platform does not.
    mentions_ingest(rows=[_dm(200, "siti_r", complaint.platform), _dm(201, "siti_r", "tiktok")])
    assert [link.mention.external_id for link in case.mention_links.filter(is_private=True)] == [
        "dm-bulk-200"
    ]
    assert CareContact.objects.count() == 1


def test_contact_details_are_encrypted_in_the_database_column(ayu, complaint):
    case = _open(
        ayu, complaint, customer_email=EMAIL, customer_phone="+62 812 3456 7890", customer_name="Siti"
    )
    care.care_contact_log(
        actor=ayu, case_id=case.pk, channel="email", direction="outgoing", summary="Sent refund form"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT customer_email, customer_phone, customer_name FROM incidents_carecase WHERE id = %s",
            [case.pk],
        )
        raw = cursor.fetchone()
        cursor.execute("SELECT summary FROM incidents_carecontact WHERE case_id = %s", [case.pk])
        raw_summary = cursor.fetchone()[0]
    assert EMAIL not in raw[0] and "3456" not in raw[1] and "Siti" not in raw[2]
    assert "refund" not in raw_summary
    case.refresh_from_db()
    assert case.customer_email == EMAIL  # and it reads back through the field


def test_erasure_removes_details_contacts_and_dm_texts(ayu, complaint, crisis_incident):
    case = _open(ayu, complaint, incident_id=crisis_incident.pk, customer_email=EMAIL, customer_name="Siti")
    mentions_ingest(
        rows=[
            {
                "platform": complaint.platform,
                "external_id": "dm-2",
                "kind": "direct_message",
                "author_handle": "siti_r",
                "author_name": "Siti Rahma",
                "text": f"Email saya {EMAIL}",
                "posted_at": timezone.now().isoformat(),
            }
        ]
    )
    care.care_contact_log(
        actor=ayu, case_id=case.pk, channel="call", direction="outgoing", summary=f"Mail {EMAIL}"
    )
    care.care_case_erase(actor=ayu, case_id=case.pk)
    care.care_case_erase(actor=ayu, case_id=case.pk)  # twice: one erasure on the timeline
    case.refresh_from_db()
    assert not case.customer_email and not case.customer_name and case.erased_at is not None
    assert not any(case.contacts.values_list("summary", flat=True))
    dm = Mention.objects.get(external_id="dm-2")
    assert dm.text == "" and dm.author_name == ""
    assert TimelineEntry.objects.filter(incident=crisis_incident, data__event="erased").count() == 1
    with connection.cursor() as cursor:
        for table in ("incidents_timelineentry", "incidents_mention", "incidents_webhookdelivery"):
            cursor.execute(
                f"SELECT count(*) FROM {table} WHERE row_to_json({table})::text ILIKE %s", [f"%{EMAIL}%"]
            )  # noqa: S608
            assert cursor.fetchone()[0] == 0, table


def test_erasure_needs_the_role_that_may_erase(ayu, complaint, carer):
    case = _open(ayu, complaint)
    with pytest.raises(PermissionDenied):
        care.care_case_erase(actor=carer, case_id=case.pk)


def test_roles_without_contact_details_cannot_set_them(complaint):
    specialist = make_person("social_media_specialist")
    with pytest.raises(PermissionDenied):
        _open(specialist, complaint, customer_email=EMAIL)
    assert not CareCase.objects.exists()
    case = _open(specialist, complaint)  # without details the specialist may open it
    with pytest.raises(PermissionDenied):
        care.care_case_update(actor=specialist, case_id=case.pk, customer_phone="0812")


def test_client_viewer_cannot_open_a_case(budi, complaint):
    with pytest.raises(PermissionDenied):
        _open(budi, complaint)


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"customer_email": "not-an-email"}, "customer_email"),
        ({"customer_phone": "call me maybe"}, "customer_phone"),
        ({"mention_ids": []}, "mention_ids"),
    ],
)
def test_bad_input_is_refused_without_a_partial_write(ayu, complaint, kwargs, field):
    arguments = {"mention_ids": [complaint.pk], **kwargs}
    with pytest.raises(DomainError) as error:
        care.care_case_open(actor=ayu, **arguments)
    assert field in error.value.field_errors
    assert not CareCase.objects.exists()


def test_mentions_by_different_authors_are_refused(ayu, complaint):
    other = make_mention(author_handle="someone_else")
    with pytest.raises(DomainError):
        care.care_case_open(actor=ayu, mention_ids=[complaint.pk, other.pk])
    assert not CareCase.objects.exists()


def test_bad_contact_and_bad_close_leave_the_case_as_it_was(ayu, complaint):
    case = _open(ayu, complaint)
    with pytest.raises(DomainError):
        care.care_contact_log(actor=ayu, case_id=case.pk, channel="pigeon", direction="outgoing")
    with pytest.raises(DomainError):
        care.care_case_close(actor=ayu, case_id=case.pk, state="in_private")
    case.refresh_from_db()
    assert case.state == CareCase.State.NEW and not case.contacts.exists()


def test_closing_twice_changes_nothing_and_emits_one_webhook(ayu, complaint, in_brand_a):
    from incidents.models import WebhookSubscription

    WebhookSubscription.objects.create(
        url="https://hooks.example/x", events=["case.resolved"], secret="whsec_x"
    )
    case = _open(ayu, complaint)
    care.care_case_close(actor=ayu, case_id=case.pk, state="unreachable")
    care.care_case_close(actor=ayu, case_id=case.pk, state="resolved")
    case.refresh_from_db()
    assert case.state == CareCase.State.UNREACHABLE and case.closing_reply is None
    deliveries = list(WebhookDelivery.objects.filter(event="case.resolved"))
    assert len(deliveries) == 1
    assert "author_handle" not in deliveries[0].payload and "siti_r" not in str(deliveries[0].payload)


def test_overdue_case_reminds_owner_then_escalates_once(ayu, complaint, carer):
    from incidents.models import Notification

    case = _open(ayu, complaint, owner_id=carer.roster.pk)
    later = case.due_at + timedelta(minutes=1)
    assert care.care_reminders_send(now=later) == {"care_reminders": 1, "care_escalations": 0}
    assert care.care_reminders_send(now=later) == {"care_reminders": 0, "care_escalations": 0}
    assert Notification.objects.filter(user_id=carer.pk, subject__contains="overdue").count() == 1
    much_later = case.due_at + timedelta(hours=25)
    assert care.care_reminders_send(now=much_later)["care_escalations"] == 1
    assert Notification.objects.filter(user_id=ayu.pk, subject__contains=f"C-{case.number}").exists()


def test_key_rotation_keeps_old_rows_readable_and_reencrypts(ayu, complaint, settings):
    from django.core.management import call_command

    case = _open(ayu, complaint, customer_email=EMAIL)
    raw_before = CareCase.objects.filter(pk=case.pk).values_list("customer_email", flat=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT customer_email FROM incidents_carecase WHERE id = %s", [case.pk])
        raw_before = cursor.fetchone()[0]
    settings.SALT_KEY = ["a-new-key", *settings.SALT_KEY]
    _forget_keys()
    try:
        assert CareCase.objects.get(pk=case.pk).customer_email == EMAIL  # old rows still read
        call_command("personal_data_reencrypt", schema=connection.schema_name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT customer_email FROM incidents_carecase WHERE id = %s", [case.pk])
            raw_after = cursor.fetchone()[0]
        assert raw_after != raw_before
        settings.SALT_KEY = ["a-new-key"]  # the old key dropped: the re-encrypted row still reads
        _forget_keys()
        assert CareCase.objects.get(pk=case.pk).customer_email == EMAIL
    finally:
        _forget_keys()


def _forget_keys():
    """The library caches its derived keys per field; a rotation in a running process drops them."""
    from incidents.services.care import encrypted_fields_reset

    encrypted_fields_reset()


def _open_survey():
    from surveys.services import survey_create, survey_open

    survey = survey_create(
        title_en="After care",
        title_id="Setelah layanan",
        questions=[{"kind": "csat", "text_en": "How satisfied?", "text_id": "Seberapa puas?"}],
    )
    return survey_open(survey_id=survey.pk)


def test_resolving_sends_the_customer_a_satisfaction_survey(ayu, complaint):
    from surveys.models import Invitation

    survey = _open_survey()
    case = _open(ayu, complaint, customer_email=EMAIL)
    case = care.care_case_close(actor=ayu, case_id=case.pk, state="resolved", survey_id=survey.pk)
    invitation = Invitation.objects.get(pk=case.survey_invitation_id)
    assert invitation.email == EMAIL and invitation.mention_author == "siti_r"


def test_a_customer_with_only_a_phone_is_messaged_or_shown_as_not_reached(
    ayu, complaint, crisis_incident, settings
):
    from incidents.models import TimelineEntry
    from surveys.models import Invitation
    from surveys.services import messaging_channel_update

    survey = _open_survey()
    case = _open(ayu, complaint, customer_phone="0812 111", incident_id=crisis_incident.pk)
    case = care.care_case_close(actor=ayu, case_id=case.pk, state="resolved", survey_id=survey.pk)
    invitation = Invitation.objects.get(pk=case.survey_invitation_id)
    assert invitation.outbox_state == "failed" and "messaging channel" in invitation.outbox_error
    texts = list(
        TimelineEntry.objects.filter(data__event__startswith="survey").values_list("text", flat=True)
    )
    assert texts == [
        f"C-{case.number}: no survey sent: only a phone, and the brand has no messaging channel enabled"
    ]
    # With a channel, the same customer's next case is messaged (pending for the worker).
    settings.OUTBOUND_ALLOW_PRIVATE_ADDRESSES = True  # a local relay, as in development
    messaging_channel_update(kind="sms", url="http://127.0.0.1:9/hook", enabled=True)
    second = _open(ayu, complaint, customer_phone="0812 222")
    second = care.care_case_close(actor=ayu, case_id=second.pk, state="resolved", survey_id=survey.pk)
    assert Invitation.objects.get(pk=second.survey_invitation_id).outbox_state == "pending"


def test_a_customer_who_opted_out_gets_no_survey(ayu, complaint):
    from surveys.models import Invitation
    from surveys.services import invitation_create
    from surveys.services.invitations import invitation_opt_out

    survey = _open_survey()
    earlier, _link = invitation_create(survey_id=survey.pk, email=EMAIL, send_email=False)
    invitation_opt_out(invitation_id=earlier.pk)
    case = _open(ayu, complaint, customer_email=EMAIL)
    case = care.care_case_close(actor=ayu, case_id=case.pk, state="resolved", survey_id=survey.pk)
    assert case.state == CareCase.State.RESOLVED and case.survey_invitation_id is None
    assert Invitation.objects.count() == 1


def test_a_survey_without_a_contact_refuses_the_closing_and_writes_nothing(ayu, complaint):
    survey = _open_survey()
    case = _open(ayu, complaint)
    with pytest.raises(DomainError) as error:
        care.care_case_close(actor=ayu, case_id=case.pk, state="resolved", survey_id=survey.pk)
    assert "survey_id" in error.value.field_errors
    case.refresh_from_db()
    assert case.state == CareCase.State.NEW and case.closing_reply is None
    assert not Response.objects.exists()
