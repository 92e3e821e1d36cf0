"""Retention: each brand's rules remove exactly what is past them (old mentions, customers' personal
data of cases and invitations closed long ago, old audit events, spent export archives), nothing of
another brand, nothing twice; figures stay, and the run is counted on the brand's trail."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from incidents.models import CareCase, Mention
from incidents.selectors_care import care_figures
from incidents.services import care
from incidents.services.retention import retention_apply
from surveys.models import Invitation
from surveys.services import invitation_create, survey_create, survey_open
from tenants.models import AuditEvent, BrandExport, RetentionPolicy
from tenants.retention import retention_policy_get, retention_policy_set
from tests.incidents.fixtures_crisis import make_mention

pytestmark = pytest.mark.django_db

EMAIL = "siti.rahma@example.com"
YEARS_AGO = timedelta(days=800)


def _mentions(**fields):
    base = {"platform": "instagram", "kind": "comment", "author_handle": "x", "text": "Kopinya basi"}
    return [Mention(external_id=f"{fields['text'][:3]}-{i}", **{**base, **fields}) for i in range(3)]


@pytest.fixture
def world(ayu, brand_a, brand_b, tmp_path, settings):
    """Brand A with old and recent rows of every kind, and brand B with old rows that A's run
    must not reach."""
    settings.BRAND_EXPORT_ROOT = str(tmp_path)
    now = timezone.now()
    with tenant_context(brand_b):
        Mention.objects.bulk_create(_mentions(text="old of B", posted_at=now - YEARS_AGO))
    with tenant_context(brand_a):
        Mention.objects.bulk_create(
            _mentions(text="old", posted_at=now - YEARS_AGO) + _mentions(text="new", posted_at=now)
        )
        complaint = make_mention(
            author_handle="siti_r", text="Pesanan saya hilang", posted_at=now - YEARS_AGO
        )
        old_case = care.care_case_open(actor=ayu, mention_ids=[complaint.pk], customer_email=EMAIL)
        care.care_case_close(actor=ayu, case_id=old_case.pk, state="unresolved")
        CareCase.objects.filter(pk=old_case.pk).update(closed_at=now - YEARS_AGO)
        recent = care.care_case_open(
            actor=ayu,
            mention_ids=[make_mention(author_handle="budi_s").pk],
            customer_email="budi.s@example.com",
        )
        survey = survey_open(
            survey_id=survey_create(
                title_en="CSAT", questions=[{"kind": "csat", "text_en": "How satisfied?"}]
            ).pk
        )
        old_invitation, _link = invitation_create(
            survey_id=survey.pk, email="old@example.com", send_email=False
        )
        Invitation.objects.filter(pk=old_invitation.pk).update(expires_at=now - YEARS_AGO)
        new_invitation, _link = invitation_create(
            survey_id=survey.pk, email="new@example.com", send_email=False
        )
    connection.set_schema_to_public()
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(action="sign_in", brand_id=brand_a.pk, at=now - YEARS_AGO, target_repr="A old"),
            AuditEvent(action="sign_in", brand_id=brand_a.pk, at=now, target_repr="A new"),
            AuditEvent(action="sign_in", brand_id=brand_b.pk, at=now - YEARS_AGO, target_repr="B old"),
        ]
    )
    spent = BrandExport.objects.create(brand=brand_a, state="done", downloaded_at=now, expires_at=now)
    (tmp_path / f"{spent.pk}.zip").write_bytes(b"zip")
    waiting = BrandExport.objects.create(brand=brand_a, state="done", expires_at=now + timedelta(hours=1))
    (tmp_path / f"{waiting.pk}.zip").write_bytes(b"zip")
    return {
        "old_case": old_case, "recent": recent, "old_invitation": old_invitation,
        "new_invitation": new_invitation, "complaint": complaint, "spent": spent, "waiting": waiting,
        "root": tmp_path,
    }  # fmt: skip


def test_retention_removes_exactly_what_is_past_the_rules_once(world, brand_a, brand_b):
    with tenant_context(brand_a):
        removed = retention_apply()
        again = retention_apply()  # the same night twice: nothing more goes

        assert removed["mentions"] == 3 and set(Mention.objects.values_list("text", flat=True)) >= {"new"}
        assert not Mention.objects.filter(text="old").exists()
        world["complaint"].refresh_from_db()  # a case points at it: kept, without its text
        assert world["complaint"].text == ""
        assert removed["care_cases_erased"] == 1
        old_case = CareCase.objects.get(pk=world["old_case"].pk)
        assert old_case.customer_email is None and old_case.erased_at and old_case.state == "unresolved"
        assert CareCase.objects.get(pk=world["recent"].pk).customer_email == "budi.s@example.com"
        assert removed["invitations_erased"] == 1
        assert Invitation.objects.get(pk=world["old_invitation"].pk).email == ""
        assert Invitation.objects.get(pk=world["new_invitation"].pk).email == "new@example.com"
        assert care_figures()["total"] == 2  # figures still count the erased case
    connection.set_schema_to_public()
    assert removed["audit_events"] == 1 and removed["export_archives"] == 1
    planted = AuditEvent.objects.filter(action="sign_in", target_repr__in=["A old", "A new", "B old"])
    assert set(planted.values_list("target_repr", flat=True)) == {"A new", "B old"}
    assert not (world["root"] / f"{world['spent'].pk}.zip").exists()
    assert (world["root"] / f"{world['waiting'].pk}.zip").exists()  # its link still works
    assert not any(again.values())
    applied = AuditEvent.objects.filter(action="retention.applied", brand_id=brand_a.pk)
    assert applied.count() == 1 and applied.get().changes["mentions"] == 3
    with tenant_context(brand_b):
        assert Mention.objects.filter(text="old of B").count() == 3
    connection.set_schema_to_public()


def test_a_drills_old_simulated_posts_expire_like_real_ones(world, brand_a):
    with tenant_context(brand_a):
        Mention.all_objects.bulk_create(
            _mentions(text="dri old drill post", posted_at=timezone.now() - YEARS_AGO, is_drill=True)
        )
        removed = retention_apply()
        assert removed["mentions"] == 6
        assert not Mention.all_objects.filter(text="dri old drill post").exists()
    connection.set_schema_to_public()


def test_a_longer_rule_keeps_what_the_default_would_remove(world, brand_a, ayu):
    retention_policy_set(
        brand=brand_a, actor=ayu, mentions_months=36, personal_data_months=36, audit_months=36
    )
    with tenant_context(brand_a):
        removed = retention_apply()
        assert Mention.objects.filter(text="old").count() == 3
        assert CareCase.objects.get(pk=world["old_case"].pk).customer_email == EMAIL
    connection.set_schema_to_public()
    assert removed["mentions"] == removed["care_cases_erased"] == removed["audit_events"] == 0
    changed = AuditEvent.objects.get(action="retention.changed", brand_id=brand_a.pk)
    assert changed.changes["mentions_months"] == {"before": 13, "after": 36}


def test_a_rule_out_of_bounds_is_refused_and_nothing_written(brand_a, ayu):
    with pytest.raises(ValidationError) as error:
        retention_policy_set(brand=brand_a, actor=ayu, audit_months=1)
    assert "audit_months" in error.value.message_dict
    assert not RetentionPolicy.objects.filter(brand=brand_a).exists()
    assert retention_policy_get(brand=brand_a).mentions_months == 13  # the defaults


def test_the_audit_trail_stays_append_only_outside_the_retention_run(brand_a):
    event = AuditEvent.objects.create(action="sign_in", brand_id=brand_a.pk, at=timezone.now() - YEARS_AGO)
    for statement in (
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: AuditEvent.objects.filter(pk=event.pk).update(target_repr="x"),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            statement()


def test_the_nightly_entry_fans_out_one_run_per_ready_brand(brand_a):
    from incidents.tasks import retention_apply_task, retention_sweep_all
    from tenants.models import Brand

    with mock.patch.object(retention_apply_task, "delay") as delay:
        queued = retention_sweep_all()
    assert queued == delay.call_count == Brand.objects.ready().count() >= 2


def test_an_agency_owner_sets_their_brands_rules_and_cannot_reach_another_agencys(
    main_client, brand_a, brand_b
):
    from tenants.models import AgencyMembership, Brand, User
    from tenants.services import agency_create

    Brand.objects.filter(pk=brand_b.pk).update(agency=agency_create(slug="lain", name="Lain PR"))
    RetentionPolicy.objects.create(brand=brand_b, mentions_months=60)
    owner = User.objects.create_user("pemilik@example.com", "x")
    AgencyMembership.objects.create(user=owner, agency=brand_a.agency, role="owner")
    client = main_client.login_as(owner)
    rules = {"mentions_months": 6, "personal_data_months": 3, "audit_months": 12, "exports_days": 7}

    assert (
        client.post("/admin/tenants/retentionpolicy/add/", {"brand": brand_a.pk, **rules}).status_code == 302
    )
    assert retention_policy_get(brand=brand_a).personal_data_months == 3
    assert AuditEvent.objects.filter(action="retention.changed", brand_id=brand_a.pk, actor=owner).exists()
    refused = client.post("/admin/tenants/retentionpolicy/add/", {"brand": brand_b.pk, **rules})
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    assert client.get(f"/admin/tenants/retentionpolicy/{brand_b.pk}/change/").status_code in (302, 404)
    assert "Batik" not in client.get("/admin/tenants/retentionpolicy/").content.decode()
    assert retention_policy_get(brand=brand_b).mentions_months == 60
