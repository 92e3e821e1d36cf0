"""The audit trail: each recorded kind of change (through the services, the admin and the real
sign-in form), who/host/address, that nothing in it can be edited or deleted (admin, database),
and that an agency or brand reads only its own events."""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, InternalError, transaction
from django.db.utils import DatabaseError
from django.test import Client
from django_tenants.utils import tenant_context

from tenants.models import AgencyMembership, AuditEvent, BrandApiKey, Domain, User
from tenants.services import (
    agency_create,
    agency_membership_set,
    api_key_create,
    api_key_revoke,
    domain_add,
    grant_revoke,
    grant_set,
)
from tests.conftest import PASSWORD
from tests.helpers import BRAND_A, BRAND_B, brand_host

pytestmark = pytest.mark.django_db

A = AuditEvent.Action
MAIN = settings.BASE_DOMAIN
IP = "198.51.100.44"


@pytest.fixture(autouse=True)
def _fast(settings, ayu, budi, citra, oscar):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for user in (ayu, budi, citra, oscar):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    cache.clear()


def last(action):
    return AuditEvent.objects.filter(action=action).order_by("-id").first()


def admin_client(user, host=MAIN):
    client = Client(HTTP_HOST=host, REMOTE_ADDR=IP)
    client.force_login(user)
    return client


@pytest.fixture
def other_owner(db):
    """Olga owns another agency, Lain, with one brand-less trail of its own."""
    agency = agency_create(slug="lain", name="Lain")
    user = User.objects.create_user("olga@example.com", PASSWORD)
    agency_membership_set(email=user.email, agency_slug=agency.slug, role=AgencyMembership.Role.OWNER)
    return user


@pytest.fixture
def suara_owner(db):
    user = User.objects.create_user("sari@example.com", PASSWORD)
    agency_membership_set(email=user.email, agency_slug="suara", role=AgencyMembership.Role.OWNER)
    return user


# --- What is recorded ------------------------------------------------------------------------------


def test_grant_changes_and_revocation_with_before_and_after(brand_a, budi):
    grant_set(email=budi.email, brand_slug=BRAND_A, role="client_approver")
    event = last(A.GRANT_SET)
    assert event.brand_id == brand_a.pk and event.agency_id == brand_a.agency_id
    assert event.changes["role"] == {"before": "client_viewer", "after": "client_approver"}
    assert event.changes["user"] == budi.email
    count = AuditEvent.objects.count()
    grant_set(email=budi.email, brand_slug=BRAND_A, role="client_approver")  # unchanged: no event
    assert AuditEvent.objects.count() == count
    grant_revoke(email=budi.email, brand_slug=BRAND_A)
    assert last(A.GRANT_REVOKED).changes["role"] == {"before": "client_approver", "after": None}


def test_membership_role_change(ayu, brand_a):
    agency_membership_set(email=ayu.email, agency_slug="suara", role="admin")
    event = last(A.MEMBERSHIP_SET)
    assert event.agency_id == brand_a.agency_id
    assert event.changes["role"] == {"before": None, "after": "admin"}


def test_api_keys_created_and_revoked_in_the_agency_admin_with_host_and_address(oscar, brand_a):
    client = admin_client(oscar)
    response = client.post("/admin/tenants/brandapikey/add/", {"brand": brand_a.pk, "name": "crm"})
    assert response.status_code == 302
    key = BrandApiKey.objects.get(name="crm")
    event = last(A.API_KEY_CREATED)
    assert (event.actor_id, event.actor_email, event.host, event.ip_address) == (
        oscar.pk,
        oscar.email,
        MAIN,
        IP,
    )
    assert event.brand_id == brand_a.pk and event.target_id == str(key.pk)
    client.post(
        "/admin/tenants/brandapikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    assert last(A.API_KEY_REVOKED).target_id == str(key.pk)
    assert last(A.API_KEY_REVOKED).actor_id == oscar.pk


def test_api_key_services_record_without_a_request(brand_a):
    key, _ = api_key_create(brand=brand_a, name="cli")
    api_key_revoke(key_id=key.pk)
    event = last(A.API_KEY_REVOKED)
    assert event.actor is None and event.host == "" and event.target_id == str(key.pk)


def test_domains_added_and_removed(oscar, brand_a):
    domain = domain_add(brand=brand_a, host="ulasan.kopi.example")
    assert last(A.DOMAIN_ADDED).changes == {"after": {"domain": "ulasan.kopi.example"}}
    client = admin_client(oscar)
    response = client.post(
        "/admin/tenants/domain/",
        {"action": "delete_selected", "_selected_action": [domain.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Domain.objects.filter(pk=domain.pk).exists()
    event = last(A.DOMAIN_REMOVED)
    assert event.target_repr == "ulasan.kopi.example" and event.actor_id == oscar.pk


def _change_form_data(response) -> dict:
    """The values a browser would post back from an admin change page, inlines included."""
    data = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is not None:
            data[name] = value
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management.initial.get(name, management[name].value())
        for item in formset.forms:
            for name in item.fields:
                value = item.initial.get(name)
                if value is not None:
                    data[item.add_prefix(name)] = getattr(value, "pk", value)
    return data


def test_brand_settings_changed_in_the_agency_admin(suara_owner, brand_a):
    client = admin_client(suara_owner)
    url = f"/admin/tenants/brand/{brand_a.pk}/change/"
    data = _change_form_data(client.get(url))
    data["colour"] = "#112233"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = last(A.BRAND_CHANGED)
    assert event.changes == {"colour": {"before": "#0f766e", "after": "#112233"}}
    assert event.actor_id == suara_owner.pk and event.brand_id == brand_a.pk


def test_detector_settings_and_webhooks_are_recorded_on_the_brand(in_brand_a, ayu):
    from incidents.services.intake import detector_settings_update
    from incidents.services.webhooks import (
        webhook_subscription_create,
        webhook_subscription_rotate_secret,
        webhook_subscription_update,
    )

    detector_settings_update(spike_window_minutes=45)
    event = last(A.DETECTOR_SETTINGS_CHANGED)
    assert event.brand_id == in_brand_a.pk
    assert event.changes["spike_window_minutes"]["after"] == 45

    subscription, secret = webhook_subscription_create(
        name="Ops", url="https://hooks.example.com/x", events=["*"], created_by=ayu
    )
    created = last(A.WEBHOOK_CREATED)
    assert created.brand_id == in_brand_a.pk and created.actor_id == ayu.pk
    webhook_subscription_update(subscription_id=subscription.pk, url="https://hooks.example.com/y")
    assert last(A.WEBHOOK_CHANGED).changes == {
        "url": {"before": "https://hooks.example.com/x", "after": "https://hooks.example.com/y"}
    }
    webhook_subscription_rotate_secret(subscription_id=subscription.pk)
    rotated = last(A.WEBHOOK_SECRET_ROTATED)
    assert rotated.brand_id == in_brand_a.pk
    # The trail never holds a secret.
    assert secret not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_sign_in_through_the_real_form_and_lockout(ayu, brand_a):
    host = brand_host(BRAND_A)
    client = Client(HTTP_HOST=host, REMOTE_ADDR=IP)
    client.post("/admin/login/?next=/admin/", {"username": ayu.email, "password": PASSWORD})
    event = last(A.SIGN_IN)
    assert (event.actor_id, event.host, event.ip_address, event.brand_id) == (ayu.pk, host, IP, brand_a.pk)

    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client(HTTP_HOST=host, REMOTE_ADDR="203.0.113.5").post(
            "/admin/login/", {"username": ayu.email, "password": "wrong"}
        )
    locked = last(A.LOCKOUT)
    assert locked is not None and locked.actor_id == ayu.pk and locked.ip_address == "203.0.113.5"


def test_password_reset_and_change_are_recorded(ayu, brand_a, mailoutbox, django_capture_on_commit_callbacks):
    import re

    host = brand_host(BRAND_A)
    client = Client(HTTP_HOST=host, REMOTE_ADDR=IP)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password-reset/", {"email": ayu.email})
    assert last(A.PASSWORD_RESET_REQUESTED).target_id == str(ayu.pk)
    path = re.search(r"(/accounts/reset/\S+/)", mailoutbox[0].body).group(1)
    page = client.get(path, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "new-long-pass-123", "new_password2": "new-long-pass-123"},
    )
    event = last(A.PASSWORD_RESET)
    assert event.actor_id == ayu.pk and event.host == host and event.brand_id == brand_a.pk

    ayu.refresh_from_db()
    signed_in = admin_client(ayu, host=host)
    signed_in.post(
        "/admin/password_change/",
        {
            "old_password": "new-long-pass-123",
            "new_password1": "other-long-pass-4",
            "new_password2": "other-long-pass-4",
        },
    )
    assert last(A.PASSWORD_CHANGED).actor_id == ayu.pk


# --- Nothing is editable ---------------------------------------------------------------------------


def test_the_database_refuses_update_and_delete(brand_a):
    api_key_create(brand=brand_a, name="x")
    event = last(A.API_KEY_CREATED)
    with pytest.raises((IntegrityError, InternalError, DatabaseError)), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(target_repr="forged")
    with pytest.raises((IntegrityError, InternalError, DatabaseError)), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).target_repr == event.target_repr


def test_the_admin_offers_no_add_change_or_delete(oscar, brand_a):
    api_key_create(brand=brand_a, name="x")
    event = last(A.API_KEY_CREATED)
    client = admin_client(oscar)
    listing = client.get("/admin/tenants/auditevent/")
    assert listing.status_code == 200
    assert b"delete_selected" not in listing.content
    assert client.get("/admin/tenants/auditevent/add/").status_code == 403
    response = client.post(f"/admin/tenants/auditevent/{event.pk}/change/", {"target_repr": "forged"})
    assert response.status_code == 403
    assert client.post(f"/admin/tenants/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).target_repr == event.target_repr


# --- Who reads what --------------------------------------------------------------------------------


def test_agency_owner_reads_and_exports_only_their_agencys_trail(suara_owner, other_owner, brand_a, brand_b):
    api_key_create(brand=brand_a, name="suara key")
    lain_event = last(A.MEMBERSHIP_SET)  # Olga's membership of Lain
    client = admin_client(suara_owner)
    listing = client.get("/admin/tenants/auditevent/")
    rows = list(listing.context["cl"].result_list)
    assert any(e.action == A.API_KEY_CREATED for e in rows)
    assert all(e.agency_id == brand_a.agency_id for e in rows)
    assert client.get(f"/admin/tenants/auditevent/{lain_event.pk}/change/").status_code == 302  # not found

    ids = list(AuditEvent.objects.values_list("pk", flat=True))
    csv = client.post("/admin/tenants/auditevent/", {"action": "export_csv", "_selected_action": ids})
    body = csv.content.decode()
    assert csv["Content-Type"].startswith("text/csv")
    assert "api_key.created" in body and "olga@example.com" not in body
    assert last(A.EXPORT).actor_id == suara_owner.pk

    olga = admin_client(other_owner)
    rows = list(olga.get("/admin/tenants/auditevent/").context["cl"].result_list)
    assert rows and all(e.agency_id == lain_event.agency_id for e in rows)
    assert "suara key" not in str([e.target_repr for e in rows])


def test_agency_admin_without_ownership_does_not_see_the_trail(ayu):
    agency_membership_set(email=ayu.email, agency_slug="suara", role="admin")
    assert admin_client(ayu).get("/admin/tenants/auditevent/").status_code == 403


def test_brand_trail_in_the_brand_admin_by_role_and_brand(ayu, budi, citra, brand_a, brand_b):
    api_key_create(brand=brand_a, name="kopi key")
    api_key_create(brand=brand_b, name="batik key")
    crisis_manager = admin_client(ayu, host=brand_host(BRAND_A))
    rows = list(crisis_manager.get("/admin/tenants/auditevent/").context["cl"].result_list)
    assert rows and all(e.brand_id == brand_a.pk for e in rows)
    assert "batik key" not in str([e.target_repr for e in rows])
    # A client viewer of the brand does not read it; staff of brand B read only B's.
    assert admin_client(budi, host=brand_host(BRAND_A)).get("/admin/tenants/auditevent/").status_code == 403
    grant_set(email=citra.email, brand_slug=BRAND_B, role="crisis_manager")
    rows = list(
        admin_client(citra, host=brand_host(BRAND_B))
        .get("/admin/tenants/auditevent/")
        .context["cl"]
        .result_list
    )
    assert rows and all(e.brand_id == brand_b.pk for e in rows)


def test_brand_schema_code_records_into_public(in_brand_a):
    # Written from inside a brand's schema, the event lands in the shared table.
    with tenant_context(in_brand_a):
        from incidents.services.intake import detector_settings_update

        detector_settings_update(spike_window_minutes=50)
    assert last(A.DETECTOR_SETTINGS_CHANGED).brand_slug == BRAND_A
