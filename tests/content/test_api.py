"""The content API: library, variants, calendar, channels and the actions; who may read and write;
brand isolation; cursor pagination without N+1."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from tests.content.conftest import PNG, approved_variant, make_channel, make_item, published_variant, soon
from tests.helpers import bearer

pytestmark = pytest.mark.django_db

ITEM = {
    "kind": "tip",
    "title": "Brew tip",
    "master_text": "Grind fresh. #kopi",
    "language": "id",
    "tags": ["Tips"],
}


def _post(client, url, data=None, **extra):
    return client.post(url, data or {}, content_type="application/json", **extra)


def test_api_key_builds_an_item_with_a_variant(client_a, api_key_a):
    item = _post(client_a, "/api/v1/content/items/", ITEM, **bearer(api_key_a))
    assert item.status_code == 201, item.content
    body = item.json()
    assert (
        body["status"] == "draft" and body["tags"] == ["tips"] and body["history"][0]["action"] == "created"
    )
    variant = _post(
        client_a, "/api/v1/content/variants/", {"item": body["id"], "platform": "x"}, **bearer(api_key_a)
    )
    assert variant.status_code == 201, variant.content
    assert variant.json()["text"] == "Grind fresh. #kopi" and variant.json()["rule_breaks"] == []


def test_bad_item_input_is_a_400_with_field_errors(client_a, api_key_a):
    response = _post(
        client_a, "/api/v1/content/items/", {**ITEM, "kind": "spam", "language": "fr"}, **bearer(api_key_a)
    )
    assert response.status_code == 400 and {"kind", "language"} <= set(response.json())
    response = _post(
        client_a,
        "/api/v1/content/variants/",
        {"item": "0" * 32, "platform": "google_maps"},
        **bearer(api_key_a),
    )
    assert response.status_code == 400 and "platform" in response.json()


def test_the_approval_flow_through_the_api(client_a, ayu, in_brand_a):
    from content.models import ContentItem

    client_a.login_as(ayu)
    item = make_item(ayu)
    assert _post(client_a, f"/api/v1/content/items/{item.pk}/submit/").json()["status"] == "in_review"
    rejected = _post(client_a, f"/api/v1/content/items/{item.pk}/reject/", {})
    assert rejected.status_code == 400 and "comment" in rejected.json()
    rejected = _post(client_a, f"/api/v1/content/items/{item.pk}/reject/", {"comment": "Shorter please"})
    assert rejected.json()["status"] == "draft"
    _post(client_a, f"/api/v1/content/items/{item.pk}/submit/")
    approved = _post(client_a, f"/api/v1/content/items/{item.pk}/approve/", {"comment": "ok"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert [h["action"] for h in approved.json()["history"]] == [
        "created",
        "submitted",
        "rejected",
        "submitted",
        "approved",
    ]
    assert ContentItem.objects.get(pk=item.pk).status == "approved"


def test_an_api_key_cannot_approve(client_a, api_key_a, ayu, in_brand_a):
    from content.services import item_submit

    item = make_item(ayu)
    item_submit(item_id=item.pk, actor=ayu)
    response = _post(client_a, f"/api/v1/content/items/{item.pk}/approve/", **bearer(api_key_a))
    assert response.status_code == 403


def test_schedule_refused_names_the_rule(client_a, api_key_a, ayu, in_brand_a):
    make_channel(ayu)
    variant = approved_variant(ayu, text="#a " * 100)
    response = _post(
        client_a,
        f"/api/v1/content/variants/{variant.pk}/schedule/",
        {"at": soon().isoformat()},
        **bearer(api_key_a),
    )
    assert response.status_code == 400
    assert "280 characters" in response.json()["detail"]
    assert response.json()["errors"]["rules"][0].startswith("text_length")


def test_schedule_confirm_and_metrics(client_a, api_key_a, ayu, in_brand_a):
    make_channel(ayu)
    variant = approved_variant(ayu)
    url = f"/api/v1/content/variants/{variant.pk}"
    scheduled = _post(client_a, f"{url}/schedule/", {"at": soon().isoformat()}, **bearer(api_key_a))
    assert scheduled.status_code == 200 and scheduled.json()["status"] == "scheduled"
    assert scheduled.json()["scheduled_at"].endswith("+07:00")  # shown in the brand's zone (Jakarta)
    early = _post(
        client_a, f"{url}/metrics/", {"measured_at": soon().isoformat(), "reach": 1}, **bearer(api_key_a)
    )
    assert early.status_code == 400
    confirm = {"platform_post_id": "1790", "url": "https://x.com/kopi/status/1790"}
    assert (
        _post(client_a, f"{url}/confirm-published/", confirm, **bearer(api_key_a)).json()["status"]
        == "published"
    )
    assert _post(client_a, f"{url}/confirm-published/", confirm, **bearer(api_key_a)).status_code == 200
    other = _post(client_a, f"{url}/confirm-published/", {"platform_post_id": "9"}, **bearer(api_key_a))
    assert other.status_code == 400
    metric = {"measured_at": soon().isoformat(), "reach": 100, "likes": 7}
    assert _post(client_a, f"{url}/metrics/", metric, **bearer(api_key_a)).status_code == 201
    assert _post(client_a, f"{url}/metrics/", {**metric, "likes": 9}, **bearer(api_key_a)).status_code == 201
    listed = client_a.get(f"{url}/metrics/", **bearer(api_key_a)).json()
    assert [m["likes"] for m in listed["results"]] == [9]
    bad = _post(client_a, f"{url}/metrics/", {"measured_at": "soon", "reach": -1}, **bearer(api_key_a))
    assert bad.status_code == 400 and {"measured_at", "reach"} <= set(bad.json())


def test_calendar_lists_the_range_in_the_brands_zone(client_a, api_key_a, ayu, in_brand_a):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from content.models import Variant

    jakarta = ZoneInfo("Asia/Jakarta")
    make_channel(ayu)
    inside = approved_variant(ayu, title="Inside")
    outside = approved_variant(ayu, title="Outside")
    # 00:30 in Jakarta on 2030-01-02 is still 2030-01-01 in UTC: the range is the brand's days.
    Variant.objects.filter(pk=inside.pk).update(
        status="scheduled", scheduled_at=datetime(2030, 1, 2, 0, 30, tzinfo=jakarta)
    )
    Variant.objects.filter(pk=outside.pk).update(
        status="scheduled", scheduled_at=datetime(2030, 1, 1, 23, 30, tzinfo=jakarta)
    )
    body = client_a.get(
        "/api/v1/content/calendar/?start=2030-01-02&end=2030-01-03", **bearer(api_key_a)
    ).json()
    assert [v["item_title"] for v in body["results"]] == ["Inside"]
    assert "next" in body  # cursor-paginated
    for query in (
        "",
        "?start=2030-01-02",
        "?start=2030-01-03&end=2030-01-02",
        "?start=2030-01-01&end=2031-01-01",
        "?start=x&end=y",
    ):
        assert client_a.get(f"/api/v1/content/calendar/{query}", **bearer(api_key_a)).status_code == 400, (
            query
        )


def test_channels_return_the_secret_once(client_a, api_key_a):
    body = {
        "name": "Buffer",
        "kind": "webhook",
        "platforms": ["x"],
        "webhook_url": "https://hooks.example.com/x",
    }
    created = _post(client_a, "/api/v1/content/channels/", body, **bearer(api_key_a))
    assert created.status_code == 201 and created.json()["webhook_secret"].startswith("whsec_")
    listed = client_a.get("/api/v1/content/channels/", **bearer(api_key_a)).json()["results"]
    assert "webhook_secret" not in listed[0]
    missing_url = _post(
        client_a, "/api/v1/content/channels/", {**body, "webhook_url": ""}, **bearer(api_key_a)
    )
    assert missing_url.status_code == 400 and "webhook_url" in missing_url.json()["errors"]


def test_media_upload_checks_the_bytes(client_a, ayu, in_brand_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client_a.login_as(ayu)
    item = make_item(ayu)
    ok = client_a.post(f"/api/v1/content/items/{item.pk}/media/", {"file": SimpleUploadedFile("a.png", PNG)})
    assert ok.status_code == 201 and ok.json()["kind"] == "image"
    bad = client_a.post(
        f"/api/v1/content/items/{item.pk}/media/", {"file": SimpleUploadedFile("a.png", b"<?php")}
    )
    assert bad.status_code == 400 and "file" in bad.json()["errors"]


def test_lists_do_not_query_per_row(client_a, api_key_a, ayu, in_brand_a):
    make_channel(ayu)
    for n in range(3):
        approved_variant(ayu, title=f"t{n}")
    client_a.get("/api/v1/content/variants/", **bearer(api_key_a))  # the key's last-used stamp, once
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            assert client_a.get("/api/v1/content/variants/", **bearer(api_key_a)).status_code == 200
        counts.append(len(ctx))
        approved_variant(ayu, title="more")
    assert counts[0] == counts[1]
    with CaptureQueriesContext(connection) as first:
        client_a.get("/api/v1/content/items/", **bearer(api_key_a))
    make_item(ayu, title="one more")
    with CaptureQueriesContext(connection) as second:
        client_a.get("/api/v1/content/items/", **bearer(api_key_a))
    assert len(first) == len(second)


ENDPOINTS = [
    ("get", "/api/v1/content/items/{item}/"),
    ("patch", "/api/v1/content/items/{item}/"),
    ("post", "/api/v1/content/items/{item}/submit/"),
    ("post", "/api/v1/content/items/{item}/approve/"),
    ("post", "/api/v1/content/items/{item}/reject/"),
    ("post", "/api/v1/content/items/{item}/media/"),
    ("get", "/api/v1/content/variants/{variant}/"),
    ("patch", "/api/v1/content/variants/{variant}/"),
    ("post", "/api/v1/content/variants/{variant}/schedule/"),
    ("post", "/api/v1/content/variants/{variant}/unschedule/"),
    ("post", "/api/v1/content/variants/{variant}/release/"),
    ("post", "/api/v1/content/variants/{variant}/confirm-published/"),
    ("get", "/api/v1/content/variants/{variant}/metrics/"),
    ("get", "/api/v1/content/variants/{variant}/performance/"),
    ("post", "/api/v1/content/variants/{variant}/metrics/"),
    ("get", "/api/v1/content/channels/{channel}/"),
    ("post", "/api/v1/content/variants/{variant}/repeat/"),
]


def _brand_a_objects(brand_a, ayu):
    with tenant_context(brand_a):
        channel = make_channel(ayu)
        variant = approved_variant(ayu, title="Secret launch")
        return {"item": variant.item_id, "variant": variant.pk, "channel": channel.pk}


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_citra_gets_a_404_on_brand_a_objects(client_a, client_b, citra, outsider, brand_a, ayu, method, url):
    from content.models import ContentItem, HistoryEntry

    ids = _brand_a_objects(brand_a, ayu)
    path = url.format(**ids)
    # Citra (brand B's staff) and Olga (another agency) on brand A's host: no grant, so 404
    # before any view runs.
    for stranger in (citra, outsider):
        response = getattr(client_a.login_as(stranger), method)(path, {}, content_type="application/json")
        assert response.status_code == 404, stranger
    # Citra on her own brand B: brand A's ids do not exist there.
    assert (
        getattr(client_b.login_as(citra), method)(path, {}, content_type="application/json").status_code
        == 404
    )
    with tenant_context(brand_a):
        assert HistoryEntry.objects.count() == 4 and ContentItem.objects.get().status == "approved"


def test_brand_b_lists_show_nothing_of_brand_a(client_b, api_key_b, brand_a, ayu):
    _brand_a_objects(brand_a, ayu)
    for url in ("items/", "variants/", "channels/", "calendar/?start=2020-01-01&end=2020-04-01"):
        assert client_b.get(f"/api/v1/content/{url}", **bearer(api_key_b)).json()["results"] == []


@pytest.mark.parametrize(
    ("method", "url"),
    [e for e in ENDPOINTS if e[0] != "get"]
    + [
        ("post", "/api/v1/content/items/"),
        ("post", "/api/v1/content/variants/"),
        ("post", "/api/v1/content/channels/"),
    ],
)
def test_budi_cannot_write(client_a, budi, brand_a, ayu, method, url):
    from content.models import ContentItem, HistoryEntry

    ids = _brand_a_objects(brand_a, ayu)
    response = getattr(client_a.login_as(budi), method)(
        url.format(**ids), {}, content_type="application/json"
    )
    assert response.status_code == 403
    with tenant_context(brand_a):
        assert HistoryEntry.objects.count() == 4 and ContentItem.objects.count() == 1


def test_budi_reads(client_a, budi, brand_a, ayu):
    ids = _brand_a_objects(brand_a, ayu)
    client_a.login_as(budi)
    assert client_a.get(f"/api/v1/content/items/{ids['item']}/").json()["title"] == "Secret launch"
    assert len(client_a.get("/api/v1/content/items/").json()["results"]) == 1


def test_from_testimonial_and_slots_of_brand_a_are_out_of_others_reach(
    client_a, client_b, ayu, citra, outsider, brand_a, brand_b
):
    """Brand A's survey testimonial and its posting history: nobody without a grant on A reaches
    them on A's host (404), and on brand B's host A's candidate is unknown and A's history is not
    B's; nothing is written in either brand."""
    from content.models import ContentItem
    from surveys.models import TestimonialCandidate
    from surveys.services import testimonial_review
    from tests.surveys.conftest import invite, make_survey, valid_post

    with tenant_context(brand_a):
        channel = make_channel(ayu)
        for title in ("Morning tip", "Morning story"):
            published_variant(ayu, channel, title=title)
        survey = make_survey()
        _, token = invite(survey)
        client_a.post(f"/s/{token}/", valid_post(survey))
        candidate = TestimonialCandidate.objects.get()
        testimonial_review(candidate_id=candidate.pk, decision="approve", actor=ayu)
    body = {"candidate": str(candidate.pk)}
    assert len(client_a.login_as(ayu).get("/api/v1/content/slots/").json()) == 1  # A sees its own
    for stranger in (citra, outsider):
        client_a.login_as(stranger)
        assert _post(client_a, "/api/v1/content/items/from-testimonial/", body).status_code == 404
        assert client_a.get("/api/v1/content/slots/").status_code == 404
    client_b.login_as(citra)
    refused = _post(client_b, "/api/v1/content/items/from-testimonial/", body)
    assert refused.status_code == 400 and "candidate" in refused.json()["errors"]
    assert client_b.get("/api/v1/content/slots/").json() == []
    for brand in (brand_a, brand_b):
        with tenant_context(brand):
            assert not ContentItem.objects.filter(kind="testimonial").exists()
