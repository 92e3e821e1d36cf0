"""The care-case API on brand A's host: personal data only for the roles that need it, brand
isolation on every endpoint, bad input without partial writes, cursor pagination without N+1."""

import pytest
from django.db import connection, reset_queries

from incidents.models import CareCase, CareContact
from incidents.services import care
from tests.helpers import bearer
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import count_queries, make_mention, make_person

pytestmark = pytest.mark.django_db

EMAIL = "siti.rahma@example.com"
PHONE = "+62 812 3456 7890"


@pytest.fixture
def case(in_brand_a, ayu):
    complaint = make_mention(author_handle="siti_r", text="Pesanan tidak datang", language="id")
    case = care.care_case_open(
        actor=ayu,
        mention_ids=[complaint.pk],
        customer_email=EMAIL,
        customer_phone=PHONE,
        customer_name="Siti",
    )
    care.care_contact_log(
        actor=ayu, case_id=case.pk, channel="call", direction="outgoing", summary=f"Mail {EMAIL}"
    )
    return case


def _endpoints(case, prefix="care-cases"):
    base = f"/api/v1/{prefix}/{case.pk}/"
    return [
        ("get", f"/api/v1/{prefix}/", None),
        ("post", f"/api/v1/{prefix}/", {"mention_ids": [str(make_mention().pk)]}),
        ("get", f"/api/v1/{prefix}/figures/", None),
        (
            "post",
            f"/api/v1/{prefix}/erase-customer/",
            {"platform": case.platform, "author_handle": "siti_r"},
        ),
        ("get", base, None),
        ("patch", base, {"customer_phone": "0811"}),
        ("post", base + "invite/", {}),
        ("get", base + "contacts/", None),
        ("post", base + "contacts/", {"channel": "call", "direction": "outgoing"}),
        ("post", base + "close/", {"state": "unresolved"}),
        ("post", base + "erase/", {}),
    ]


def _call(client, method, url, data, **extra):
    if method == "get":
        return client.get(url, **extra)
    return getattr(client, method)(url, data=data or {}, content_type="application/json", **extra)


def _unchanged(case):
    fresh = CareCase.objects.get(pk=case.pk)
    assert (
        fresh.state == CareCase.State.IN_PRIVATE and fresh.customer_email == EMAIL and fresh.erased_at is None
    )
    assert CareContact.objects.filter(case=case).count() == 1


def test_citra_gets_404_on_every_care_endpoint_of_brand_a(case, client_a, citra):
    client_a.login_as(citra)
    for prefix in ("cases", "care-cases"):
        for method, url, data in _endpoints(case, prefix):
            assert _call(client_a, method, url, data).status_code == 404, (method, url)
    _unchanged(case)


def test_cases_is_the_documented_path_and_care_cases_a_deprecated_alias(case, client_a, ayu):
    client_a.login_as(ayu)
    current = client_a.get(f"/api/v1/cases/{case.pk}/")
    assert current.status_code == 200 and current.json()["customer_email"] == EMAIL
    assert "Deprecation" not in current
    old = client_a.get(f"/api/v1/care-cases/{case.pk}/")
    assert old.status_code == 200 and old.json() == current.json()
    assert (
        old["Deprecation"] == "true" and old["Link"] == f'</api/v1/cases/{case.pk}/>; rel="successor-version"'
    )
    # The schema generator's own list of documented endpoints (cheaper than rendering the schema).
    from drf_spectacular.generators import EndpointEnumerator

    paths = {path for path, *_rest in EndpointEnumerator(urlconf="platform.urls_tenant").get_api_endpoints()}
    assert "/api/v1/cases/" in paths and "/api/v1/cases/{case_id}/close/" in paths
    assert not [p for p in paths if p.startswith("/api/v1/care-cases/")]


def test_brand_b_api_key_gets_404_on_every_care_endpoint_of_brand_a(case, client_a, api_key_b):
    for method, url, data in _endpoints(case):
        assert _call(client_a, method, url, data, **bearer(api_key_b)).status_code == 404, (method, url)
    _unchanged(case)


def test_brand_a_case_is_404_on_brand_b_host_for_brand_b_staff(case, client_b, citra):
    connection.set_schema_to_public()
    client_b.login_as(citra)
    assert client_b.get(f"/api/v1/care-cases/{case.pk}/").status_code == 404
    assert client_b.get("/api/v1/care-cases/").json()["results"] == []


def test_budi_the_client_viewer_reaches_no_care_endpoint(case, client_a, budi):
    client_a.login_as(budi)
    for method, url, data in _endpoints(case):
        response = _call(client_a, method, url, data)
        assert response.status_code == 403, (method, url)
        assert EMAIL not in response.content.decode()
    _unchanged(case)


@pytest.mark.parametrize(
    "role, sees",
    [
        ("crisis_manager", True),
        ("customer_care", True),
        ("agency_admin", True),
        ("social_media_specialist", False),
        ("spokesperson", False),
        ("legal", False),
    ],
)
def test_contact_details_reach_only_the_roles_that_need_them(case, client_a, role, sees):
    client_a.login_as(make_person(role))
    pages = [
        client_a.get("/api/v1/care-cases/"),
        client_a.get(f"/api/v1/care-cases/{case.pk}/"),
        client_a.get(f"/api/v1/care-cases/{case.pk}/contacts/"),
    ]
    for page in pages:
        assert page.status_code == 200
        body = page.content.decode()
        assert (EMAIL in body) is sees  # the contacts page carries it in the call's summary
    assert all(("3456" in page.content.decode()) is sees for page in pages[:2])
    detail = pages[1].json()
    assert ("customer_email" in detail) is sees and detail["has_contact_details"] is True


def test_integration_reads_cases_without_details_and_cannot_send_them(case, client_a, api_key_a):
    listed = client_a.get("/api/v1/care-cases/", **bearer(api_key_a))
    assert listed.status_code == 200 and EMAIL not in listed.content.decode()
    refused = client_a.post(
        "/api/v1/care-cases/",
        {"mention_ids": [str(make_mention().pk)], "customer_email": "x@example.com"},
        content_type="application/json",
        **bearer(api_key_a),
    )
    assert refused.status_code == 403
    assert CareCase.objects.count() == 1


def test_staff_open_invite_log_and_close_through_the_api(in_brand_a, client_a, ayu):
    client_a.login_as(ayu)
    complaint = make_mention(author_handle="budi_pelanggan", language="en")
    opened = client_a.post(
        "/api/v1/care-cases/",
        {"mention_ids": [str(complaint.pk)], "customer_email": "b@example.com"},
        content_type="application/json",
    )
    assert opened.status_code == 201, opened.content
    case_id = opened.json()["id"]
    invited = client_a.post(f"/api/v1/care-cases/{case_id}/invite/", {}, content_type="application/json")
    assert invited.json()["state"] == "invited" and invited.json()["invitation"]
    logged = client_a.post(
        f"/api/v1/care-cases/{case_id}/contacts/",
        {"channel": "email", "direction": "outgoing", "summary": "Sent form"},
        content_type="application/json",
    )
    assert logged.status_code == 201 and logged.json()["summary"] == "Sent form"
    closed = client_a.post(
        f"/api/v1/care-cases/{case_id}/close/",
        {"state": "resolved", "outcome": "Refund"},
        content_type="application/json",
    )
    assert closed.json()["state"] == "resolved" and closed.json()["closing_reply"]
    figures = client_a.get("/api/v1/care-cases/figures/").json()
    assert figures["resolved"] == 1 and figures["share_resolved"] == 1.0


@pytest.mark.parametrize(
    "url_suffix, data, field",
    [
        ("contacts/", {"channel": "pigeon", "direction": "outgoing"}, "channel"),
        ("contacts/", {"channel": "call", "direction": "outgoing", "at": "yesterday"}, "at"),
        ("close/", {"state": "in_private"}, "state"),
        ("", {"customer_email": "nope"}, "customer_email"),
        ("", {"customer_phone": "call me"}, "customer_phone"),
    ],
)
def test_bad_input_is_a_400_with_field_errors_and_no_write(case, client_a, ayu, url_suffix, data, field):
    client_a.login_as(ayu)
    url = f"/api/v1/care-cases/{case.pk}/{url_suffix}"
    response = (client_a.patch if not url_suffix else client_a.post)(
        url, data, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert field in str(response.json())
    _unchanged(case)


def test_opening_with_an_unknown_mention_is_a_400_and_writes_nothing(in_brand_a, client_a, ayu):
    client_a.login_as(ayu)
    response = client_a.post(
        "/api/v1/care-cases/",
        {"mention_ids": ["00000000-0000-0000-0000-000000000000"]},
        content_type="application/json",
    )
    assert response.status_code == 400 and "mention_ids" in str(response.json())
    assert not CareCase.objects.exists()


def test_unknown_state_filter_is_a_400(in_brand_a, client_a, ayu):
    client_a.login_as(ayu)
    assert client_a.get("/api/v1/care-cases/?state=lost").status_code == 400


def test_list_is_cursor_paginated_and_filtered(case, client_a, ayu):
    client_a.login_as(ayu)
    body = client_a.get("/api/v1/care-cases/?state=in_private&overdue=false").json()
    assert [c["id"] for c in body["results"]] == [str(case.pk)] and "next" in body
    assert client_a.get("/api/v1/care-cases/?state=resolved").json()["results"] == []


def test_list_query_count_does_not_grow_with_cases(case, client_a, ayu, django_assert_max_num_queries):
    client_a.login_as(ayu)
    client_a.get("/api/v1/care-cases/")
    with count_queries() as few:
        client_a.get("/api/v1/care-cases/")
    for n in range(6):
        care.care_case_open(actor=ayu, mention_ids=[make_mention(author_handle=f"c{n}").pk])
    client_a.get("/api/v1/care-cases/")
    reset_queries()
    with django_assert_max_num_queries(len(few)):
        assert client_a.get("/api/v1/care-cases/").status_code == 200


def test_erase_through_the_api_removes_the_details(case, client_a, ayu):
    client_a.login_as(ayu)
    response = client_a.post(f"/api/v1/care-cases/{case.pk}/erase/", {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["erased_at"]
    assert EMAIL not in response.content.decode()
    assert EMAIL not in client_a.get(f"/api/v1/care-cases/{case.pk}/contacts/").content.decode()


def test_customer_care_may_not_erase(case, client_a):
    client_a.login_as(make_person("customer_care"))
    assert (
        client_a.post(f"/api/v1/care-cases/{case.pk}/erase/", {}, content_type="application/json").status_code
        == 403
    )
    _unchanged(case)


@pytest.mark.parametrize(
    "role, sees",
    [("client_viewer", False), ("legal", False), ("customer_care", True), ("crisis_manager", True)],
)
def test_customers_direct_messages_reach_only_roles_that_see_contact_details(
    in_brand_a, client_a, role, sees
):
    from incidents.models import Mention

    dm = make_mention(kind=Mention.Kind.DIRECT_MESSAGE, text=f"Email saya {EMAIL}")
    client_a.login_as(make_person(role))
    listed = client_a.get("/api/v1/mentions/")
    assert listed.status_code == 200 and (EMAIL in listed.content.decode()) is sees
    assert client_a.get(f"/api/v1/mentions/{dm.pk}/").status_code == (200 if sees else 404)
    admin = client_a.get("/admin/incidents/mention/")
    assert EMAIL not in admin.content.decode() or sees


def test_the_integration_still_reads_the_direct_messages_it_posted(in_brand_a, client_a, api_key_a):
    from incidents.models import Mention

    dm = make_mention(kind=Mention.Kind.DIRECT_MESSAGE, text=f"Email saya {EMAIL}")
    assert client_a.get(f"/api/v1/mentions/{dm.pk}/", **bearer(api_key_a)).status_code == 200


def test_erasing_a_customer_by_handle_answers_200_even_with_no_case(client_a, ayu):
    """The fuzzer found a 500 here: the row lock reached the nullable incident join."""
    client_a.login_as(ayu)
    response = client_a.post(
        "/api/v1/care-cases/erase-customer/",
        data={"platform": "instagram", "author_handle": "nobody"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"erased_cases": 0}
