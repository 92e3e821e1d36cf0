"""Bulk intake of mentions and metrics through the API: idempotent, per-row errors, clear refusals
of bad bodies, role and brand isolation, and the list endpoint's filters and query count."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import bearer
from tests.incidents.fixtures_early_warning import (  # noqa: F401 - fixtures
    detector_settings_fixture,
    mention_row,
    mentions_create,
)

pytestmark = pytest.mark.django_db


def post_json(client, path, data, **extra):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(path, body, content_type="application/json", **extra)


def test_intake_stores_rows_and_reports_counts(client_a, api_key_a, brand_a):
    from django_tenants.utils import tenant_context

    from incidents.models import Mention

    rows = [mention_row(), mention_row(kind="review", platform="google_maps")]
    response = post_json(client_a, "/api/v1/mentions/", rows, **bearer(api_key_a))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "created": 2,
        "updated": 0,
        "rejected": 0,
        "duplicates_in_request": 0,
        "errors": [],
    }
    with tenant_context(brand_a):
        stored = Mention.objects.get(external_id=rows[0]["external_id"])
        assert stored.author_handle == rows[0]["author_handle"]
        assert stored.scored_at is None  # scoring runs after commit, in Celery


def test_resend_updates_counts_and_stores_once(client_a, api_key_a, brand_a):
    from django_tenants.utils import tenant_context

    from incidents.models import Mention

    rows = [mention_row(reach=10), mention_row(reach=20)]
    post_json(client_a, "/api/v1/mentions/", rows, **bearer(api_key_a))
    rows[0]["reach"] = 999
    response = post_json(client_a, "/api/v1/mentions/", rows, **bearer(api_key_a))
    assert response.json()["created"] == 0
    assert response.json()["updated"] == 2
    with tenant_context(brand_a):
        assert Mention.objects.filter(external_id__in=[r["external_id"] for r in rows]).count() == 2
        assert Mention.objects.get(external_id=rows[0]["external_id"]).reach == 999


def test_same_row_twice_in_one_request_is_stored_once(client_a, api_key_a, brand_a):
    from django_tenants.utils import tenant_context

    from incidents.models import Mention

    row = mention_row(reach=1)
    again = dict(row, reach=5)
    response = post_json(client_a, "/api/v1/mentions/", [row, again], **bearer(api_key_a))
    assert response.json()["created"] == 1
    assert response.json()["duplicates_in_request"] == 1
    with tenant_context(brand_a):
        assert Mention.objects.get(external_id=row["external_id"]).reach == 5


def test_bad_rows_come_back_with_errors_and_good_rows_are_kept(client_a, api_key_a, brand_a):
    from django_tenants.utils import tenant_context

    from incidents.models import Mention

    good = mention_row()
    rows = [
        good,
        mention_row(kind="tweetstorm"),
        mention_row(posted_at="yesterday", external_id="bad-date"),
        mention_row(posted_at="2026-01-01T10:00:00"),
        "not an object",
        mention_row(sentiment=3, reach=-1, text="x\x00y"),
        {"platform": "Insta Gram!", "external_id": ""},
    ]
    response = post_json(client_a, "/api/v1/mentions/", rows, **bearer(api_key_a))
    body = response.json()
    assert response.status_code == 200
    assert (body["created"], body["rejected"]) == (1, 6)
    errors = {e["index"]: e for e in body["errors"]}
    assert set(errors) == {1, 2, 3, 4, 5, 6}
    assert "kind" in errors[1]["errors"]
    assert errors[2]["external_id"] == "bad-date"
    assert "posted_at" in errors[2]["errors"]
    assert "time zone" in errors[3]["errors"]["posted_at"][0]
    assert errors[4]["errors"] == {"non_field_errors": ["Each mention must be a JSON object."]}
    assert {"sentiment", "reach", "text"} <= set(errors[5]["errors"])
    assert {"platform", "external_id", "kind", "author_handle", "posted_at"} <= set(errors[6]["errors"])
    with tenant_context(brand_a):
        assert Mention.objects.filter(external_id=good["external_id"]).exists()


def test_odd_values_are_row_errors_not_server_errors(client_a, api_key_a):
    rows = [
        mention_row(text="lone surrogate \ud800"),
        mention_row(posted_at="0001-01-01T00:00:00+14:00"),
        mention_row(reach=2**70, engagement=1.5),
        mention_row(kind=["post"], language={"en": 1}, platform=7, posted_at=20261123),
        mention_row(external_id=12345),  # an integer id is accepted as its string
    ]
    response = post_json(client_a, "/api/v1/mentions/", rows, **bearer(api_key_a))
    assert response.status_code == 200
    body = response.json()
    assert (body["created"], body["rejected"]) == (1, 4)
    assert [set(e["errors"]) for e in body["errors"]] == [
        {"text"},
        {"posted_at"},
        {"reach", "engagement"},
        {"kind", "language", "platform", "posted_at"},
    ]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
        ("{not json", "not valid JSON"),
        (json.dumps({"platform": "x"}), "must be a JSON list"),
        ("", "empty"),
    ],
)
def test_malformed_body_gets_400_saying_why(client_a, api_key_a, body, fragment):
    response = post_json(client_a, "/api/v1/mentions/", body, **bearer(api_key_a))
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_more_than_5000_rows_gets_413(client_a, api_key_a):
    rows = [{"platform": "x"}] * 5001
    response = post_json(client_a, "/api/v1/mentions/", rows, **bearer(api_key_a))
    assert response.status_code == 413
    assert "at most 5,000" in response.json()["detail"]


def test_body_over_the_upload_limit_gets_413(client_a, api_key_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = post_json(client_a, "/api/v1/mentions/", [mention_row(text="x" * 2000)], **bearer(api_key_a))
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_client_viewer_cannot_post_mentions(client_a, budi):
    response = post_json(client_a.login_as(budi), "/api/v1/mentions/", [mention_row()])
    assert response.status_code == 403


def test_staff_user_can_post_mentions(client_a, ayu):
    response = post_json(client_a.login_as(ayu), "/api/v1/mentions/", [mention_row()])
    assert response.status_code == 200
    assert response.json()["created"] == 1


def test_brand_b_key_and_user_cannot_read_or_write_brand_a(client_a, api_key_b, citra, in_brand_a):
    mention = mentions_create(1, at=timezone.now())[0]
    assert post_json(client_a, "/api/v1/mentions/", [mention_row()], **bearer(api_key_b)).status_code == 404
    assert client_a.get("/api/v1/mentions/", **bearer(api_key_b)).status_code == 404
    assert client_a.get(f"/api/v1/mentions/{mention.pk}/", **bearer(api_key_b)).status_code == 404
    client_a.login_as(citra)
    assert client_a.get(f"/api/v1/mentions/{mention.pk}/").status_code == 404
    assert client_a.post(f"/api/v1/mentions/{mention.pk}/answered/").status_code == 404


def test_mention_of_brand_a_is_not_found_on_brand_b(client_b, api_key_b, in_brand_a):
    mention = mentions_create(1, at=timezone.now())[0]
    assert client_b.get(f"/api/v1/mentions/{mention.pk}/", **bearer(api_key_b)).status_code == 404


def test_list_filters_and_paginates_with_a_fixed_number_of_queries(
    client_a, api_key_a, in_brand_a, django_assert_max_num_queries
):
    now = timezone.now()
    mentions_create(30, at=now, band="negative", complaint=True)
    mentions_create(20, at=now, band="positive", answered=True)
    with django_assert_max_num_queries(6):
        response = client_a.get(
            "/api/v1/mentions/?band=negative&answered=false&page_size=10", **bearer(api_key_a)
        )
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 10
    assert all(r["sentiment_band"] == "negative" and r["answered"] is False for r in body["results"])
    assert body["next"]
    second = client_a.get(body["next"], **bearer(api_key_a)).json()
    assert {r["id"] for r in second["results"]}.isdisjoint({r["id"] for r in body["results"]})
    answered = client_a.get("/api/v1/mentions/?answered=true&page_size=100", **bearer(api_key_a)).json()
    assert len(answered["results"]) == 20


def test_list_text_search_and_time_range(client_a, api_key_a, in_brand_a):
    now = timezone.now()
    mentions_create(3, at=now, text="kopi basi {n}")
    mentions_create(2, at=now - timedelta(days=3), text="kopi basi lama {n}")
    mentions_create(4, at=now, text="enak {n}")
    after = (now - timedelta(days=1)).isoformat()
    response = client_a.get("/api/v1/mentions/", {"q": "basi", "posted_after": after}, **bearer(api_key_a))
    assert len(response.json()["results"]) == 3


def test_time_range_with_an_offset_postgresql_cannot_take_is_converted_or_a_400(
    client_a, api_key_a, in_brand_a
):
    mentions_create(1, at=timezone.now(), text="kopi {n}")
    # +23:08 is a valid ISO offset but beyond PostgreSQL's ±15:59: compared in UTC, not a 500.
    response = client_a.get(
        "/api/v1/mentions/", {"posted_after": "2020-11-06T13:44:28+23:08"}, **bearer(api_key_a)
    )
    assert response.status_code == 200 and len(response.json()["results"]) == 1
    # Out of range once in UTC: the field's error.
    response = client_a.get(
        "/api/v1/mentions/", {"posted_before": "0001-01-01T00:10:00+23:00"}, **bearer(api_key_a)
    )
    assert response.status_code == 400 and "posted_before" in response.json()["errors"]


def test_client_viewer_reads_mentions(client_a, budi, in_brand_a):
    mentions_create(2, at=timezone.now())
    response = client_a.login_as(budi).get("/api/v1/mentions/")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


def test_mark_answered_is_idempotent_and_budi_cannot(client_a, api_key_a, budi, in_brand_a):
    mention = mentions_create(1, at=timezone.now(), complaint=True)[0]
    first = client_a.post(f"/api/v1/mentions/{mention.pk}/answered/", **bearer(api_key_a))
    assert first.status_code == 200
    assert first.json()["answered"] is True
    again = client_a.post(f"/api/v1/mentions/{mention.pk}/answered/", **bearer(api_key_a))
    assert again.json()["answered_at"] == first.json()["answered_at"]
    viewer = client_a.__class__(client_a.host).login_as(budi)
    assert viewer.post(f"/api/v1/mentions/{mention.pk}/answered/").status_code == 403


def test_metrics_intake_is_idempotent_with_row_errors(client_a, api_key_a, brand_a):
    from django_tenants.utils import tenant_context

    from incidents.models import MetricSample

    at = (timezone.now() - timedelta(hours=1)).isoformat()
    rows = [
        {"platform": "instagram", "measured_at": at, "followers": 1000},
        {"platform": "x", "followers": "many"},
    ]
    first = post_json(client_a, "/api/v1/metrics/", rows, **bearer(api_key_a)).json()
    assert (first["created"], first["rejected"]) == (1, 1)
    assert set(first["errors"][0]["errors"]) == {"measured_at", "followers"}
    rows[0]["followers"] = 990
    second = post_json(client_a, "/api/v1/metrics/", rows[:1], **bearer(api_key_a)).json()
    assert (second["created"], second["updated"]) == (0, 1)
    with tenant_context(brand_a):
        assert MetricSample.objects.get().followers == 990


def test_detector_settings_out_of_bounds_are_refused(in_brand_a):
    from incidents.services.intake import detector_settings_update
    from tenants.errors import DomainError

    with pytest.raises(DomainError) as refused:
        detector_settings_update(rumour_similarity=0, spike_window_minutes=1)
    assert {"rumour_similarity", "spike_window_minutes"} <= set(refused.value.field_errors)
    assert detector_settings_update(spike_min_count=30).spike_min_count == 30


def test_intake_queues_scoring_after_commit(in_brand_a, django_capture_on_commit_callbacks, monkeypatch):
    from incidents.services.intake import mentions_ingest
    from incidents.tasks import sweeps as sweeps_tasks

    queued = []
    monkeypatch.setattr(sweeps_tasks.mentions_score_task, "delay", lambda *a, **k: queued.append(1))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mentions_ingest(rows=[mention_row()])
    assert queued == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert queued == [1]


def test_scoring_fills_scores_keeps_source_sentiment_and_links_brand_replies(detector_settings):
    from incidents.models import Mention
    from incidents.services.intake import mentions_ingest, mentions_score_pending

    parent = mention_row(text="Pesanan saya belum sampai, kecewa banget", sentiment=0.2)
    reply = mention_row(
        kind="reply",
        author_handle="@KopiNusantara",
        parent_external_id=parent["external_id"],
        text="Mohon maaf kak, kami cek ya",
    )
    mentions_ingest(rows=[parent])
    mentions_ingest(rows=[reply])
    assert mentions_score_pending() == 2
    stored = Mention.objects.get(external_id=parent["external_id"])
    assert stored.sentiment_band == "negative"
    assert stored.is_complaint
    assert stored.language == "id"
    assert stored.source_sentiment == 0.2
    assert stored.answered_at is not None
    assert Mention.objects.get(external_id=reply["external_id"]).is_own


def test_parent_arriving_after_the_brand_reply_is_answered(detector_settings):
    from incidents.models import Mention
    from incidents.services.intake import mentions_ingest, mentions_score_pending

    parent = mention_row(text="Where is my order?")
    reply = mention_row(kind="reply", author_handle="kopinusantara", parent_external_id=parent["external_id"])
    mentions_ingest(rows=[reply])
    mentions_score_pending()
    mentions_ingest(rows=[parent])
    mentions_score_pending()
    assert Mention.objects.get(external_id=parent["external_id"]).answered_at is not None


def test_edited_text_is_scored_again(in_brand_a):
    from incidents.models import Mention
    from incidents.services.intake import mentions_ingest, mentions_score_pending

    row = mention_row(text="Mantap, kopinya enak")
    mentions_ingest(rows=[row])
    mentions_score_pending()
    assert Mention.objects.get(external_id=row["external_id"]).sentiment_band == "positive"
    mentions_ingest(rows=[dict(row, text="Kecewa, kopinya basi dan pelayanannya buruk")])
    assert mentions_score_pending() == 1
    assert Mention.objects.get(external_id=row["external_id"]).sentiment_band == "negative"


def test_mentions_are_in_the_openapi_schema(in_brand_a):
    # Generated from this module's routes only, so another app's schema problem cannot hide ours.
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator

    generator = SchemaGenerator(
        patterns=[
            path("api/v1/", include("incidents.api.urls_intake")),
            path("api/v1/", include("incidents.api.urls_alerts")),
        ]
    )
    paths = generator.get_schema(request=None, public=True)["paths"]
    assert "/api/v1/mentions/" in paths
    params = {p["name"] for p in paths["/api/v1/mentions/"]["get"]["parameters"]}
    assert {"platform", "kind", "band", "answered", "posted_after", "q", "cursor"} <= params
    assert "post" in paths["/api/v1/mentions/"]
    assert "/api/v1/alerts/{alert_id}/dismiss/" in paths


def test_any_json_value_in_any_field_is_a_row_error_or_accepted_never_a_500(client_a, api_key_a):
    odd = [None, "", 0, -1, 1.5, True, [], {}, "x" * 300, "a\x00b", 2**80, "NaN", "2026-11-23T08:00:00+07:00"]
    fields = [
        "platform",
        "external_id",
        "kind",
        "author_handle",
        "author_name",
        "text",
        "url",
        "posted_at",
        "language",
        "sentiment",
        "reach",
        "engagement",
        "parent_external_id",
    ]
    rows = [mention_row(**{field: value}) for field in fields for value in odd]
    response = post_json(client_a, "/api/v1/mentions/", rows, **bearer(api_key_a))
    assert response.status_code == 200
    body = response.json()
    assert body["created"] + body["updated"] + body["rejected"] + body["duplicates_in_request"] == len(rows)
    assert body["rejected"] > 0 and body["created"] > 0


@pytest.mark.parametrize(
    "query",
    [
        "posted_after=yesterday",
        "band=awful",
        "answered=maybe",
        "cursor=garbage",
        "page_size=abc",
        "kind=tweet",
    ],
)
def test_bad_list_parameters_are_client_errors(client_a, api_key_a, query):
    response = client_a.get(f"/api/v1/mentions/?{query}", **bearer(api_key_a))
    assert response.status_code in (200, 400, 404)  # never a 500
    if query not in ("page_size=abc", "answered=maybe"):  # those two are ignored, as DRF and django-filter do
        assert response.status_code in (400, 404)


@pytest.mark.parametrize(
    "path", ["/api/v1/mentions/", "/api/v1/metrics/", "/api/v1/alerts/", "/api/v1/notifications/"]
)
@pytest.mark.parametrize("position", ["2026-13-45", "foo", "99999-01-01T00:00:00"])
def test_a_cursor_whose_position_is_not_a_date_is_a_404_not_a_500(client_a, ayu, path, position):
    import base64
    from urllib.parse import quote

    cursor = quote(base64.b64encode(f"p={position}".encode()).decode())
    response = client_a.login_as(ayu).get(f"{path}?cursor={cursor}")
    assert response.status_code == 404
    assert response.json()["detail"] == "Invalid cursor"


def test_metric_list_filters_by_platform_and_refuses_a_nul_in_it(client_a, api_key_a):
    at = (timezone.now() - timedelta(hours=1)).isoformat()
    rows = [{"platform": p, "measured_at": at, "followers": 10} for p in ("instagram", "tiktok")]
    post_json(client_a, "/api/v1/metrics/", rows, **bearer(api_key_a))
    listed = client_a.get("/api/v1/metrics/?platform=tiktok", **bearer(api_key_a)).json()["results"]
    assert [r["platform"] for r in listed] == ["tiktok"]
    response = client_a.get("/api/v1/metrics/?platform=%00", **bearer(api_key_a))
    assert response.status_code == 400
    assert "platform" in response.json()
