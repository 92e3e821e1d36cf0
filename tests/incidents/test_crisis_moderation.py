"""Moderation with reasons: a rule of the brand's community guidelines for every action, the
append-only log, and a higher role for deleting than for hiding."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from incidents.models import ModerationAction
from incidents.services.moderation import guidelines_publish, moderation_act, moderation_confirm
from incidents.services.team import assignment_add
from tenants.errors import DomainError
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_person

pytestmark = pytest.mark.django_db
REASON = "Komentar ini menyebarkan nomor telepon pelanggan lain."


def test_moderation_without_guidelines_is_refused(in_brand_a, ayu, mention):
    with pytest.raises(DomainError) as error:
        moderation_act(actor=ayu, mention_id=mention.pk, action="hide", rule_number=1, reason=REASON)
    assert "guidelines" in error.value.message
    assert not ModerationAction.objects.exists()


def test_moderation_without_a_rule_is_refused(guidelines, ayu, mention):
    with pytest.raises(DomainError) as error:
        moderation_act(actor=ayu, mention_id=mention.pk, action="hide", rule_number=None, reason=REASON)
    assert "rule_number" in error.value.field_errors
    with pytest.raises(DomainError):
        moderation_act(actor=ayu, mention_id=mention.pk, action="hide", rule_number=9, reason=REASON)
    assert not ModerationAction.objects.exists()


def test_moderation_without_a_reason_is_refused(guidelines, ayu, mention):
    with pytest.raises(DomainError) as error:
        moderation_act(actor=ayu, mention_id=mention.pk, action="hide", rule_number=3, reason="spam")
    assert "reason" in error.value.field_errors


def test_hide_cites_the_rule_and_version_and_asks_the_integration(
    guidelines, ayu, mention, webhook_all, django_capture_on_commit_callbacks
):
    from incidents.models import WebhookDelivery

    with django_capture_on_commit_callbacks():
        entry = moderation_act(
            actor=ayu,
            mention_id=mention.pk,
            action="hide",
            rule_number=3,
            reason=REASON,
            public_explanation="Kami menyembunyikan komentar ini karena memuat data pribadi.",
        )
    assert entry.rule.number == 3 and entry.rule.version == guidelines
    assert entry.author_handle == mention.author_handle
    payload = WebhookDelivery.objects.get(event="moderation.requested").payload
    assert payload["action"] == "hide" and payload["rule"]["number"] == 3


def test_new_guidelines_version_keeps_old_rules_for_old_log_entries(guidelines, ayu, mention):
    entry = moderation_act(actor=ayu, mention_id=mention.pk, action="hide", rule_number=1, reason=REASON)
    v2 = guidelines_publish(actor=ayu, rules=[{"title": "Baru"}], change_note="Disederhanakan")
    assert v2.version == guidelines.version + 1
    entry.refresh_from_db()
    assert entry.rule.title == "Hormati sesama" and entry.rule.version_id == guidelines.pk


def test_unhide_needs_a_hidden_comment(guidelines, ayu, mention):
    with pytest.raises(DomainError):
        moderation_act(actor=ayu, mention_id=mention.pk, action="unhide", rule_number=1, reason=REASON)
    moderation_act(actor=ayu, mention_id=mention.pk, action="hide", rule_number=1, reason=REASON)
    moderation_act(
        actor=ayu, mention_id=mention.pk, action="unhide", rule_number=1, reason="Sudah diklarifikasi penulis"
    )
    assert ModerationAction.objects.count() == 2


def test_deleting_needs_a_higher_role_than_hiding(crisis_incident, ayu, guidelines, mention):
    care = make_person("customer_care")
    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=care.roster.pk)
    moderation_act(
        actor=care,
        mention_id=mention.pk,
        action="hide",
        rule_number=1,
        reason=REASON,
        incident_id=crisis_incident.pk,
    )
    with pytest.raises(PermissionDenied):
        moderation_act(
            actor=care,
            mention_id=mention.pk,
            action="delete_request",
            rule_number=1,
            reason=REASON,
            incident_id=crisis_incident.pk,
        )
    entry = moderation_act(
        actor=ayu,
        mention_id=mention.pk,
        action="delete_request",
        rule_number=1,
        reason=REASON,
        incident_id=crisis_incident.pk,
    )
    assert entry.action == "delete_request"
    assert crisis_incident.timeline.filter(kind="moderation").count() == 2


def test_client_viewer_cannot_moderate(guidelines, budi, mention):
    with pytest.raises(PermissionDenied):
        moderation_act(actor=budi, mention_id=mention.pk, action="hide", rule_number=1, reason=REASON)


def test_log_is_append_only_in_the_database(guidelines, ayu, mention):
    entry = moderation_act(
        actor=ayu, mention_id=mention.pk, action="ban_author", rule_number=1, reason=REASON
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ModerationAction.objects.filter(pk=entry.pk).update(reason="something else")
    with pytest.raises(IntegrityError), transaction.atomic():
        ModerationAction.objects.filter(pk=entry.pk).delete()
    confirmed = moderation_confirm(moderation_id=entry.pk, external_ref="ban-77")
    again = moderation_confirm(moderation_id=entry.pk, external_ref="other")
    assert confirmed.carried_out_at is not None and again.external_ref == "ban-77"


@pytest.mark.parametrize("action", ["delete_request", "ban_author"])
def test_repeating_a_delete_request_or_ban_records_and_emits_it_once(
    guidelines, ayu, mention, action, django_capture_on_commit_callbacks
):
    from unittest import mock

    with (
        mock.patch("incidents.services.moderation.webhook_emit") as emit,
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = moderation_act(actor=ayu, mention_id=mention.pk, action=action, rule_number=1, reason=REASON)
        again = moderation_act(actor=ayu, mention_id=mention.pk, action=action, rule_number=1, reason=REASON)
    assert again.pk == first.pk
    assert ModerationAction.objects.filter(mention=mention, action=action).count() == 1
    assert emit.call_count == 1
