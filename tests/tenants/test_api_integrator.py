"""What an integration builds on: idempotent POSTs (replayed, refused with another body, scoped to
brand and caller, one object under concurrent duplicates), API-key scopes and `/me`, DELETE of
webhook subscriptions and response templates, 429 with Retry-After, webhook secret rotation with
an overlap, content events on the brand's webhooks; each with brand isolation."""

import json
import threading
import time
import uuid

import pytest
from django.db import connections
from django.test import Client
from standardwebhooks import Webhook

from tests.helpers import BRAND_A, bearer, brand_host


def _post(client, url, body, key=None, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(url, json.dumps(body), content_type="application/json", **headers, **extra)


# --- Idempotency ----------------------------------------------------------------------------
def test_a_retry_with_the_same_key_replays_the_first_answer_and_creates_nothing(client_a, ayu, in_brand_a):
    from incidents.models import Incident

    client = client_a.login_as(ayu)
    body = {"title": "Kopi basi", "severity": 2}
    first = _post(client, "/api/v1/incidents/", body, key="retry-1")
    again = _post(client, "/api/v1/incidents/", body, key="retry-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Incident.objects.filter(title="Kopi basi").count() == 1
    # An action too: the second transition is a replay, not a second timeline entry.
    url = f"/api/v1/incidents/{first.json()['id']}/timeline/"
    _post(client, url, {"text": "Catatan"}, key="note-1")
    _post(client, url, {"text": "Catatan"}, key="note-1")
    assert Incident.objects.get(pk=first.json()["id"]).timeline.filter(text="Catatan").count() == 1
    # Without a key nothing changes: two posts, two incidents.
    _post(client, "/api/v1/incidents/", {"title": "Tanpa kunci"})
    _post(client, "/api/v1/incidents/", {"title": "Tanpa kunci"})
    assert Incident.objects.filter(title="Tanpa kunci").count() == 2


def test_the_same_key_with_another_body_is_a_422_and_a_bad_key_a_400(client_a, ayu, in_brand_a):
    client = client_a.login_as(ayu)
    assert _post(client, "/api/v1/incidents/", {"title": "A"}, key="k-422").status_code == 201
    reused = _post(client, "/api/v1/incidents/", {"title": "B"}, key="k-422")
    assert reused.status_code == 422 and "Idempotency-Key" in reused.json()["detail"]
    too_long = _post(client, "/api/v1/incidents/", {"title": "C"}, key="x" * 300)
    assert too_long.status_code == 400 and too_long.json()["detail"]


def test_an_invalid_request_is_not_a_key_spent_on_a_half_write(client_a, ayu, in_brand_a):
    from incidents.models import Incident

    client = client_a.login_as(ayu)
    bad = _post(client, "/api/v1/incidents/", {"severity": 9}, key="k-bad")
    assert bad.status_code == 400 and "title" in bad.json()["errors"] and bad.json()["detail"]
    assert _post(client, "/api/v1/incidents/", {"severity": 9}, key="k-bad").json() == bad.json()
    assert not Incident.objects.filter(severity=9).exists()


def test_a_key_lives_24_hours_then_runs_again_and_is_purged(client_a, ayu, in_brand_a):
    from datetime import timedelta

    from django.utils import timezone

    from incidents.models import Incident
    from tenants.idempotency import idempotency_records_purge
    from tenants.models import IdempotencyRecord

    client = client_a.login_as(ayu)
    _post(client, "/api/v1/incidents/", {"title": "Sehari"}, key="day")
    IdempotencyRecord.objects.filter(key="day").update(created_at=timezone.now() - timedelta(hours=25))
    again = _post(client, "/api/v1/incidents/", {"title": "Sehari"}, key="day")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Incident.objects.filter(title="Sehari").count() == 2
    IdempotencyRecord.objects.filter(key="day").update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency_records_purge() >= 1 and not IdempotencyRecord.objects.filter(key="day").exists()


def test_keys_are_scoped_to_the_caller_and_the_brand(
    client_a, client_b, ayu, citra, api_key_a, in_brand_a, settings
):
    from tenants.models import Brand, IdempotencyRecord

    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    body = {"name": "Sama", "url": "https://sama.example/h", "events": ["*"]}
    by_ayu = _post(client_a.login_as(ayu), "/api/v1/webhooks/", body, key="shared")
    by_key = _post(
        Client(HTTP_HOST=brand_host(BRAND_A)), "/api/v1/webhooks/", body, key="shared", **bearer(api_key_a)
    )
    assert by_ayu.status_code == by_key.status_code == 201
    # Each caller's request ran: two subscriptions, two secrets, no replay across callers.
    assert by_ayu.json()["id"] != by_key.json()["id"] and "Idempotent-Replayed" not in by_key
    assert by_ayu.json()["secret"] != by_key.json()["secret"]
    # Citra on brand B with the same key gets her own answer, never brand A's.
    by_citra = _post(client_b.login_as(citra), "/api/v1/webhooks/", body, key="shared")
    assert "Idempotent-Replayed" not in by_citra
    assert by_ayu.json()["secret"] not in by_citra.content.decode()
    assert by_ayu.json()["id"] not in by_citra.content.decode()
    brand_a = Brand.objects.get(slug=BRAND_A)
    assert IdempotencyRecord.objects.filter(key="shared", brand=brand_a).count() == 2


def test_the_agency_api_is_idempotent_too(main_client, ayu):
    from tenants.models import Brand

    client = main_client.login_as(ayu)
    body = {"agency": "suara", "slug": "kunci-sama", "name": "Kunci"}
    first = _post(client, "/api/v1/agency/brands/", body, key="agency-1")
    again = _post(client, "/api/v1/agency/brands/", body, key="agency-1")
    assert first.status_code == again.status_code and again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Brand.objects.filter(slug="kunci-sama").count() <= 1


@pytest.fixture
def committed_key(committed_brand_a):
    from tenants.models import BrandApiKey, IdempotencyRecord
    from tenants.services import api_key_create

    key, plain = api_key_create(brand=committed_brand_a, name="idempotency")
    yield plain
    IdempotencyRecord.objects.filter(caller=f"key:{key.pk}").delete()
    BrandApiKey.objects.filter(pk=key.pk).delete()


def test_concurrent_duplicates_create_one_object(committed_brand_a, committed_key, settings):
    """Five requests with one key at the same moment, each on its own connection (as separate web
    workers would be): one subscription, five identical answers (the same id and secret)."""
    from incidents.models import WebhookSubscription

    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    threads_count = 5
    barrier = threading.Barrier(threads_count)
    results: list = []
    name = f"Serentak {uuid.uuid4().hex[:6]}"
    body = {"name": name, "url": "https://serentak.example/h", "events": ["*"]}

    def post():
        try:
            client = Client(HTTP_HOST=brand_host(BRAND_A))
            barrier.wait(timeout=30)
            response = _post(client, "/api/v1/webhooks/", body, key="concurrent", **bearer(committed_key))
            results.append((response.status_code, response.json()))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append((500, repr(exc)))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _ in results] == [201] * threads_count, results
    assert len({(answer["id"], answer["secret"]) for _, answer in results}) == 1
    assert WebhookSubscription.objects.filter(name=name).count() == 1


# --- Scopes and /me -------------------------------------------------------------------------
def test_a_key_does_only_what_its_scopes_allow_and_me_says_so(brand_a, in_brand_a):
    from incidents.models import WebhookSubscription
    from tenants.services import api_key_create

    _, intake_only = api_key_create(brand=brand_a, name="Listening tool", scopes=["intake"])
    client = Client(HTTP_HOST=brand_host(BRAND_A), **bearer(intake_only))
    assert client.post("/api/v1/mentions/", "[]", content_type="application/json").status_code != 403
    body = {"name": "x", "url": "https://x.example/h", "events": ["*"]}
    refused = _post(client, "/api/v1/webhooks/", body)
    assert refused.status_code == 403 and "'write' scope" in refused.json()["detail"]
    assert client.get("/api/v1/incidents/").status_code == 403
    assert not WebhookSubscription.objects.exists()

    _, reader = api_key_create(brand=brand_a, name="BI", scopes=["read"])
    me = Client(HTTP_HOST=brand_host(BRAND_A), **bearer(reader)).get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["brand"]["slug"] == BRAND_A and me.json()["role"] == "integration"
    assert me.json()["api_key"]["name"] == "BI" and me.json()["scopes"] == ["read"]


def test_scopes_are_checked_when_a_key_is_made(brand_a, capsys):
    from django.core.management import CommandError, call_command

    from tenants.errors import DomainError
    from tenants.models import BrandApiKey
    from tenants.services import api_key_create

    with pytest.raises(DomainError):
        api_key_create(brand=brand_a, name="x", scopes=["admin"])
    call_command("create_api_key", BRAND_A, "--name", "Intake", "--scopes", "intake,read")
    assert BrandApiKey.objects.get(brand=brand_a, name="Intake").scopes == ["read", "intake"]
    with pytest.raises(CommandError):
        call_command("create_api_key", BRAND_A, "--scopes", "everything")


def test_the_agency_admin_makes_a_key_with_the_scopes_ticked(main_client, oscar, brand_a):
    from tenants.models import BrandApiKey

    client = main_client.login_as(oscar)
    response = client.post(
        "/admin/tenants/brandapikey/add/", {"brand": brand_a.pk, "name": "bi", "scopes": ["read"]}
    )
    assert response.status_code == 302
    assert BrandApiKey.objects.get(name="bi").scopes == ["read"]


def test_me_describes_a_signed_in_user_and_refuses_another_brand(client_a, budi, api_key_b, in_brand_a):
    me = client_a.login_as(budi).get("/api/v1/me/").json()
    assert me["user"]["email"] == budi.email and me["api_key"] is None and me["scopes"] == ["read"]
    foreign = Client(HTTP_HOST=brand_host(BRAND_A), **bearer(api_key_b)).get("/api/v1/me/")
    assert foreign.status_code == 404


# --- DELETE ---------------------------------------------------------------------------------
def test_a_webhook_subscription_is_deleted_and_another_brand_gets_404(
    client_a, client_b, ayu, budi, citra, api_key_b, in_brand_a
):
    from incidents.models import WebhookSubscription
    from incidents.services.webhooks import webhook_subscription_create

    subscription, _ = webhook_subscription_create(name="ops", url="https://ops.example/h", events=["*"])
    url = f"/api/v1/webhooks/{subscription.pk}/"
    assert client_b.login_as(citra).delete(url).status_code == 404
    assert Client(HTTP_HOST=brand_host(BRAND_A), **bearer(api_key_b)).delete(url).status_code == 404
    assert client_a.login_as(budi).delete(url).status_code == 403
    assert client_a.login_as(ayu).delete(url).status_code == 204
    assert not WebhookSubscription.objects.filter(pk=subscription.pk).exists()
    assert client_a.get(url).status_code == 404


def test_a_response_template_is_archived_by_delete(client_a, client_b, ayu, budi, citra, in_brand_a):
    from incidents.models import ResponseTemplate

    client = client_a.login_as(ayu)
    made = _post(
        client,
        "/api/v1/response-templates/",
        {
            "name": "Maaf",
            "language": "id",
            "situation": "complaint",
            "body": "Mohon maaf atas ketidaknyamanannya.",
        },
    )
    assert made.status_code == 201, made.content
    url = f"/api/v1/response-templates/{made.json()['id']}/"
    assert client_b.login_as(citra).delete(url).status_code == 404
    assert client_a.login_as(budi).delete(url).status_code in (403, 404)
    assert client_a.login_as(ayu).delete(url).status_code == 204
    assert ResponseTemplate.objects.get(pk=made.json()["id"]).is_active is False
    listed = client.get("/api/v1/response-templates/").json()["results"]
    assert made.json()["id"] not in {t["id"] for t in listed}
    assert client.get(url).status_code == 404


# --- Rate limits, ordering ------------------------------------------------------------------
def test_too_many_requests_answer_429_with_retry_after(client_a, ayu, in_brand_a, monkeypatch):
    from django.core.cache import cache

    from tenants.api_auth import BrandScopedThrottle

    cache.clear()
    monkeypatch.setattr(BrandScopedThrottle, "THROTTLE_RATES", {"brand": "2/min"})
    client = client_a.login_as(ayu)
    answers = [client.get("/api/v1/incidents/") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0 and answers[-1].json()["detail"]
    cache.clear()


def test_a_list_sorts_by_a_documented_field_and_refuses_another(client_a, ayu, in_brand_a):
    from incidents.services.incidents import incident_open

    for title in ("Pertama", "Kedua"):
        incident_open(actor=ayu, title=title)
    client = client_a.login_as(ayu)
    ascending = client.get("/api/v1/incidents/?ordering=number&page_size=1").json()
    assert ascending["results"][0]["title"] == "Pertama" and ascending["next"]
    bad = client.get("/api/v1/incidents/?ordering=title")
    assert bad.status_code == 400 and "ordering" in bad.json()["errors"]
    assert client.get("/api/v1/roster/?page_size=100000").status_code == 200  # bounded, not refused


# --- Webhooks: rotation and content events --------------------------------------------------
def test_after_a_rotation_both_secrets_verify_until_the_overlap_ends(in_brand_a):
    from incidents.models import WebhookSubscription
    from incidents.services.webhooks import webhook_subscription_create, webhook_subscription_rotate_secret
    from tenants.webhook_signing import webhook_headers

    subscription, old = webhook_subscription_create(name="r", url="https://r.example/h", events=["*"])
    subscription, new = webhook_subscription_rotate_secret(subscription_id=subscription.pk, overlap_hours=24)
    body = '{"id":"1"}'
    headers = webhook_headers(
        secrets_=subscription.signing_secrets(), msg_id="m1", timestamp=int(time.time()), body=body
    )
    assert len(headers["webhook-signature"].split()) == 2
    assert Webhook(old).verify(body, headers) == Webhook(new).verify(body, headers) == {"id": "1"}
    # After the overlap only the new secret signs.
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        previous_secret_expires_at=subscription.previous_secret_expires_at.replace(year=2000)
    )
    subscription.refresh_from_db()
    assert subscription.signing_secrets() == [new]
    _, newest = webhook_subscription_rotate_secret(subscription_id=subscription.pk, overlap_hours=0)
    subscription.refresh_from_db()
    assert subscription.signing_secrets() == [newest]


def test_published_and_held_content_is_announced_on_the_brands_webhooks(in_brand_a, ayu, settings):
    from content.services import crisis_hold_sweep, variant_confirm_published
    from incidents.models import WebhookDelivery
    from incidents.services.incidents import incident_open
    from incidents.services.webhooks import webhook_subscription_create
    from tests.content.test_holds import _due, make_channel

    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    webhook_subscription_create(
        name="content",
        url="https://c.example/h",
        events=["content.published", "content.held", "content.failed"],
    )
    channel = make_channel(ayu)
    tip = _due(ayu, channel, kind="tip", title="Tip")
    variant_confirm_published(variant_id=tip.pk, actor=ayu, platform_post_id="42", url="https://x.com/k/42")
    promo = _due(ayu, channel, kind="promotion", title="Diskon")
    incident_open(actor=ayu, title="Krisis", severity=1)
    crisis_hold_sweep()
    events = {d.event: d.payload for d in WebhookDelivery.objects.all()}
    assert events["content.published"]["variant_id"] == str(tip.pk)
    assert events["content.published"]["platform_post_id"] == "42"
    assert events["content.held"]["variant_id"] == str(promo.pk) and events["content.held"]["reason"]
