"""Mention lists at scale: text search in both languages through the trigram index (API and admin),
with filters, never across brands; the admin's list without COUNT(*) or SELECT DISTINCT over the
mentions, with sidebar filters from fixed choices; query counts that do not grow with the list."""

import re

import pytest
from django.contrib.admin.filters import AllValuesFieldListFilter, RelatedOnlyFieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.db import connection
from django.utils import timezone

from incidents.models import Mention
from incidents.selectors_early_warning import mention_search
from tests.helpers import bearer
from tests.incidents.fixtures_crisis import count_queries

pytestmark = pytest.mark.django_db

API = "/api/v1/mentions/"
ADMIN = "/admin/incidents/mention/"
PRODUCT = "GayoRoast"

TEXTS = [
    ("id-refund", "id", "negative", "instagram", "Refund belum masuk juga, kecewa banget sama pelayanannya"),
    ("en-refund", "en", "negative", "x", "Still waiting for my REFUND, really disappointed"),
    ("id-product", "id", "positive", "tiktok", f"{PRODUCT} 250g enak sekali, mantap"),
    ("en-latte", "en", "positive", "instagram", "Great latte today, friendly staff"),
    ("id-lambat", "id", "neutral", "facebook", "Antrinya lama tapi kopinya enak"),
]


def _mentions() -> None:
    now = timezone.now()
    rows = [
        Mention(
            platform=platform,
            external_id=key,
            kind=Mention.Kind.COMMENT,
            author_handle=f"@{key}",
            text=text,
            posted_at=now - timezone.timedelta(minutes=i),
            language=language,
            sentiment_band=band,
            scored_at=now,
        )
        for i, (key, language, band, platform, text) in enumerate(TEXTS)
    ]
    Mention.objects.bulk_create(rows)


@pytest.fixture
def mentions_a(in_brand_a):
    _mentions()
    connection.set_schema_to_public()


def _found(client, query: str, **headers) -> set[str]:
    response = client.get(f"{API}?{query}", **headers)
    assert response.status_code == 200, response.content[:500]
    return {row["external_id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=refund", {"id-refund", "en-refund"}),  # both languages, any case
        ("q=kecewa", {"id-refund"}),
        ("q=kecew", {"id-refund"}),  # part of a word
        (f"q={PRODUCT.lower()}", {"id-product"}),  # a product name
        ("q=refund+kecewa", {"id-refund"}),  # every word, in any order
        ("q=kecewa+refund", {"id-refund"}),
        ("q=disappointed+latte", set()),
        ("q=refund&language=en", {"en-refund"}),  # filters still apply
        ("q=enak&band=positive", {"id-product"}),
        ("q=enak&platform=facebook", {"id-lambat"}),
        ("q=100%25", set()),  # LIKE wildcards are literal
    ],
)
def test_api_search_finds_words_and_parts_of_words_in_both_languages(
    mentions_a, client_a, api_key_a, query, expected
):
    assert _found(client_a, query, **bearer(api_key_a)) == expected


def test_search_is_served_by_the_trigram_index(in_brand_a):
    sql, params = mention_search(Mention.objects.order_by(), "kecewa refund").query.sql_with_params()
    with connection.cursor() as cursor:
        # A tiny table would be read whole (or along posted_at) otherwise; GIN is a bitmap scan.
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "mention_text_trgm" in plan


def test_brand_b_never_finds_brand_a_mentions(mentions_a, client_a, client_b, api_key_b, citra):
    assert _found(client_b, "q=refund", **bearer(api_key_b)) == set()
    client_b.login_as(citra)
    page = client_b.get(f"{ADMIN}?q=refund").content.decode()
    assert "REFUND" not in page and "Refund belum" not in page
    # Citra on A's host: refused before any search runs.
    assert client_a.login_as(citra).get(f"{ADMIN}?q=refund").status_code in (302, 403, 404)
    assert client_a.get(f"{API}?q=refund").status_code in (403, 404)


def _mention_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if "incidents_mention" in s]


def _assert_no_count_or_distinct(statements: list[str]) -> None:
    for sql in _mention_statements(statements):
        assert not re.search(r"\bcount\s*\(", sql, re.IGNORECASE), sql
        assert not re.search(r"\bdistinct\b", sql, re.IGNORECASE), sql


def test_admin_list_with_filters_and_search_counts_nothing_and_offers_fixed_choices(
    mentions_a, client_a, ayu
):
    client_a.login_as(ayu)
    for query, shown, hidden in [
        ("", ["Great latte", PRODUCT], []),
        ("?q=refund", ["Refund belum", "REFUND"], ["Great latte"]),
        ("?q=refund&language=en", ["REFUND"], ["Refund belum"]),
        ("?platform=tiktok&sentiment_band__exact=positive", [PRODUCT], ["Great latte"]),
        ("?q=kecew&platform=instagram&is_complaint__exact=0", ["Refund belum"], ["REFUND"]),
    ]:
        with count_queries() as queries:
            page = client_a.get(ADMIN + query)
        assert page.status_code == 200
        body = page.content.decode()
        assert all(text in body for text in shown), query
        assert not any(text in body for text in hidden), query
        assert _mention_statements(queries.statements), "the list was not read at all"
        _assert_no_count_or_distinct(queries.statements)
        # The sidebar offers every known platform and language, not the ones found in the table.
        for choice in ("platform=youtube", "platform=google_maps", "language=en", "language=id"):
            assert choice in body, choice


def test_admin_list_past_one_page_estimates_its_count(mentions_a, client_a, ayu, monkeypatch):
    from tenants.admin_sites import brand_admin_site

    monkeypatch.setattr(brand_admin_site._registry[Mention], "list_per_page", 2)
    client_a.login_as(ayu)
    with count_queries() as queries:
        first = client_a.get(ADMIN)
        last = client_a.get(ADMIN + "?p=3")
    assert first.status_code == last.status_code == 200
    _assert_no_count_or_distinct(queries.statements)
    assert any(s.startswith("EXPLAIN") for s in queries.statements)  # the estimate
    # The last page knows the exact count: 5 mentions, the fifth on page 3.
    assert last.context["cl"].result_count == 5
    assert "Antrinya lama" in last.content.decode()


def test_no_brand_admin_list_filter_reads_distinct_values():
    """Every sidebar filter of the brand admin offers choices from the code, a related table or a
    fixed set (dates, yes/no, empty): AllValuesFieldListFilter would run a SELECT DISTINCT over the
    whole table on every view."""
    from django.db import models

    from tenants.admin_sites import brand_admin_site

    offenders = []
    for model, model_admin in brand_admin_site._registry.items():
        for spec in model_admin.list_filter:
            if isinstance(spec, str):
                field = get_fields_from_path(model, spec)[-1]
                fixed = (
                    field.choices
                    or field.is_relation
                    or isinstance(field, models.BooleanField | models.DateField)
                )
                if not fixed:
                    offenders.append(f"{model.__name__}.{spec}")
            elif isinstance(spec, tuple) and spec[1] in (
                AllValuesFieldListFilter,
                RelatedOnlyFieldListFilter,
            ):
                offenders.append(f"{model.__name__}.{spec[0]}")
    assert offenders == []


def test_list_query_counts_do_not_grow_with_the_page(brand_a, client_a, ayu, api_key_a):
    from django_tenants.utils import tenant_context

    client_a.login_as(ayu)

    def counted(path, **headers):
        with count_queries() as queries:
            assert client_a.get(path, **headers).status_code == 200
        return len(queries)

    def lists():
        return [counted(ADMIN + "?q=e"), counted(API + "?q=e", **bearer(api_key_a))]

    with tenant_context(brand_a):
        _mentions()
    connection.set_schema_to_public()
    counted(API, **bearer(api_key_a))  # the first use of the key records it, not part of the list
    small = lists()
    with tenant_context(brand_a):
        _mentions_more()  # past one page of the admin (100) and of the API (100)
    connection.set_schema_to_public()
    assert lists() == small


def _mentions_more() -> None:
    now = timezone.now()
    Mention.objects.bulk_create(
        Mention(
            platform="x",
            external_id=f"more-{i}",
            kind=Mention.Kind.COMMENT,
            author_handle=f"@more{i}",
            text=f"semua enak {i}",
            posted_at=now - timezone.timedelta(hours=2, minutes=i),
            scored_at=now,
        )
        for i in range(150)
    )


def test_a_brand_made_after_the_migration_has_the_search_index(brand_a):
    from django_tenants.utils import tenant_context

    from tenants.services import brand_create

    brand = brand_create(agency=brand_a.agency, slug="cari-baru", name="Cari Baru")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND indexname = 'mention_text_trgm'",
            [brand.schema_name],
        )
        assert "gin_trgm_ops" in cursor.fetchone()[0]
    with tenant_context(brand):
        _mentions()
        assert set(mention_search(Mention.objects.all(), "KECEWA").values_list("external_id", flat=True)) == {
            "id-refund"
        }
