"""Affected customers of a review: one check for every way in (by hand, the API, a CSV import in the
admin), the integration's own customer ids (posting one again updates the same customer), imports
all or none with each problem by its row, duplicates counted once, nobody surveyed twice, and
brand B and the client never reach any of it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from incidents.models import Review, ReviewCustomer
from incidents.services import reviews as review_services
from incidents.services.incidents import incident_transition
from tenants.errors import DomainError
from tests.helpers import bearer
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(crisis_incident, ayu):
    incident_transition(incident_id=crisis_incident.pk, actor=ayu, to_status="resolved", summary="Diganti")
    return Review.objects.get(incident=crisis_incident)


def _post(client, url, data, **extra):
    return client.post(url, data=data, content_type="application/json", **extra)


# --- The integration's customer ids -------------------------------------------------------------
def test_the_same_external_id_updates_the_same_customer(review, ayu):
    first, created = review_services.review_customer_put(
        review_id=review.pk, actor=ayu, external_id="crm-42", name="Sari", phone="0811"
    )
    again, updated = review_services.review_customer_put(
        review_id=review.pk, actor=ayu, external_id="crm-42", name="Sari W.", email="SARI@example.com"
    )
    same, unchanged = review_services.review_customer_put(
        review_id=review.pk, actor=ayu, external_id="crm-42", name="Sari W.", email="sari@example.com"
    )
    assert (created, updated, unchanged) == ("created", "updated", "existing")
    assert first.pk == again.pk == same.pk and review.customers.count() == 1
    assert (again.name, again.email, again.phone) == ("Sari W.", "sari@example.com", "")


def test_an_external_id_cannot_take_another_customers_email(review, ayu):
    review_services.review_customer_add(review_id=review.pk, actor=ayu, email="budi@example.com")
    review_services.review_customer_add(review_id=review.pk, actor=ayu, external_id="7", phone="0811")
    with pytest.raises(DomainError) as refused:
        review_services.review_customer_add(
            review_id=review.pk, actor=ayu, external_id="7", email="budi@example.com"
        )
    assert "email" in refused.value.field_errors
    assert review.customers.get(external_id="7").email == ""


def test_a_known_contact_is_mapped_to_the_integrations_id(review, ayu):
    staff_added = review_services.review_customer_add(review_id=review.pk, actor=ayu, phone="+62 811")
    mapped, outcome = review_services.review_customer_put(
        review_id=review.pk, actor=ayu, external_id="crm-1", phone="+62 811"
    )
    assert (mapped.pk, outcome, mapped.external_id) == (staff_added.pk, "updated", "crm-1")
    with pytest.raises(DomainError):  # the contact is crm-1's now
        review_services.review_customer_add(
            review_id=review.pk, actor=ayu, external_id="crm-2", phone="+62 811"
        )


def test_the_same_phone_twice_is_one_customer(review, ayu):
    first = review_services.review_customer_add(review_id=review.pk, actor=ayu, phone="+62 811")
    assert review_services.review_customer_add(review_id=review.pk, actor=ayu, phone="+62 811").pk == first.pk


def test_api_maps_the_integrations_customer_ids(review, client_a, api_key_a):
    url = f"/api/v1/reviews/{review.pk}/customers/"
    created = _post(client_a, url, {"external_id": "crm-9", "phone": "0811"}, **bearer(api_key_a))
    updated = _post(
        client_a, url, {"external_id": "crm-9", "phone": "0812", "language": "id"}, **bearer(api_key_a)
    )
    assert (created.status_code, updated.status_code) == (201, 200)
    assert created.json()["id"] == updated.json()["id"] and updated.json()["phone"] == "0812"
    assert updated.json()["external_id"] == "crm-9" and updated.json()["source"] == "integration"
    assert review.customers.count() == 1


# --- Importing many at once ----------------------------------------------------------------------
def test_import_counts_new_existing_updated_and_repeated_customers(review, ayu):
    review_services.review_customer_add(review_id=review.pk, actor=ayu, email="ada@example.com")
    review_services.review_customer_add(review_id=review.pk, actor=ayu, external_id="c-1", phone="0811")
    result = review_services.review_customers_import(
        review_id=review.pk,
        actor=ayu,
        customers=[
            {"name": "Ada", "email": "ADA@example.com"},  # on the review already
            {"name": "Baru", "phone": "0899", "language": "id"},
            {"external_id": "c-1", "phone": "0811", "name": "Citra"},  # known id, new name
            {"name": "Baru lagi", "phone": "0899"},  # the same phone as a row above
        ],
    )
    counts = {k: result[k] for k in ("created", "updated", "existing", "duplicates")}
    assert counts == {"created": 1, "updated": 1, "existing": 1, "duplicates": 1}
    assert sorted(c.phone or c.email for c in review.customers.all()) == ["0811", "0899", "ada@example.com"]
    assert review.customers.get(phone="0899").name == "Baru"


def test_import_with_a_bad_row_imports_nothing_and_names_each_problem(review, ayu):
    with pytest.raises(DomainError) as refused:
        review_services.review_customers_import(
            review_id=review.pk,
            actor=ayu,
            customers=[
                {"email": "ok@example.com"},
                {"email": "nope", "language": "fr"},
                {"name": "No contact"},
                {"external_id": "x" * 101, "phone": "0811"},
            ],
        )
    assert set(refused.value.field_errors) == {
        "customers[1].email",
        "customers[1].language",
        "customers[2].email",
        "customers[3].external_id",
    }
    assert not review.customers.exists()


def test_import_refuses_one_customer_id_with_two_contacts(review, ayu):
    with pytest.raises(DomainError) as refused:
        review_services.review_customers_import(
            review_id=review.pk,
            actor=ayu,
            customers=[{"external_id": "c", "phone": "0811"}, {"external_id": "c", "phone": "0812"}],
        )
    assert list(refused.value.field_errors) == ["customers[1].external_id"]
    assert not review.customers.exists()


def test_import_has_a_row_limit(review, ayu):
    with pytest.raises(DomainError) as refused:
        review_services.review_customers_import(
            review_id=review.pk,
            actor=ayu,
            customers=[{"phone": str(n)} for n in range(review_services.CUSTOMERS_IMPORT_LIMIT + 1)],
        )
    assert "At most 1000" in refused.value.message and not review.customers.exists()


def test_imported_customers_are_surveyed_once_however_often_they_are_imported(review, ayu):
    from surveys.models import Invitation

    rows = [{"email": "sari@example.com"}, {"phone": "0811", "name": "Joko"}]
    review_services.review_customers_import(review_id=review.pk, actor=ayu, customers=rows)
    review_services.review_surveys_send_due(now=review.survey_due_at)
    again = review_services.review_customers_import(review_id=review.pk, actor=ayu, customers=rows)
    assert again["existing"] == 2 and again["created"] == 0
    Review.objects.filter(pk=review.pk).update(survey_sent_at=None)  # a sweep running the review again
    review_services.review_surveys_send_due(now=review.survey_due_at)
    invited = Invitation.objects.filter(incident_id=review.incident_id)
    assert sorted(i.email or i.phone for i in invited) == ["0811", "sari@example.com"]


def test_api_import_is_all_or_none_with_row_errors(review, client_a, api_key_a):
    url = f"/api/v1/reviews/{review.pk}/customers/import/"
    bad = _post(client_a, url, {"customers": [{"phone": "0811"}, {"email": "nope"}]}, **bearer(api_key_a))
    assert bad.status_code == 400 and "customers[1].email" in bad.content.decode()
    assert not review.customers.exists()
    batch = {
        "customers": [{"external_id": "a", "phone": "0811"}, {"external_id": "b", "email": "b@example.com"}]
    }
    first = _post(client_a, url, batch, **bearer(api_key_a), HTTP_IDEMPOTENCY_KEY="import-1")
    assert first.status_code == 200 and first.json()["created"] == 2
    assert [c["external_id"] for c in first.json()["customers"]] == ["a", "b"]
    replay = _post(client_a, url, batch, **bearer(api_key_a), HTTP_IDEMPOTENCY_KEY="import-1")
    assert replay.json() == first.json()
    again = _post(client_a, url, batch, **bearer(api_key_a))
    assert again.json()["existing"] == 2 and review.customers.count() == 2
    empty = _post(client_a, url, {"customers": []}, **bearer(api_key_a))
    assert empty.status_code == 400


def test_api_schema_describes_the_import(client_a, ayu, brand_a):
    schema = client_a.login_as(ayu).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/reviews/{review_id}/customers/import/"]["post"]
    assert "200" in operation["responses"]
    assert "external_id" in schema["components"]["schemas"]["CustomerIn"]["properties"]


# --- The admin's CSV import ---------------------------------------------------------------------
def _upload(client, review, content: bytes):
    return client.post(
        f"/admin/incidents/review/{review.pk}/import-customers/",
        {"file": SimpleUploadedFile("customers.csv", content, content_type="text/csv")},
    )


def test_admin_imports_a_semicolon_csv_with_a_byte_order_mark(review, client_a, ayu):
    client_a.login_as(ayu)
    page = client_a.get(f"/admin/incidents/review/{review.pk}/change/").content.decode()
    assert f"/admin/incidents/review/{review.pk}/import-customers/" in page
    content = "\ufeffName;Email;Phone;Language;mention_author\r\nSari;sari@example.com;;id;@sari\r\n;;+62 812;;\r\n\r\n"
    response = _upload(client_a, review, content.encode("utf-8"))
    assert response.status_code == 302, response.content.decode()[:2000]
    customers = {c.email or c.phone: c for c in review.customers.all()}
    assert set(customers) == {"sari@example.com", "+62 812"}
    assert (
        customers["sari@example.com"].language == "id"
        and customers["sari@example.com"].mention_author == "@sari"
    )
    assert customers["+62 812"].source == ReviewCustomer.Source.STAFF


def test_admin_import_shows_each_bad_row_and_imports_nothing(review, client_a, ayu):
    content = (
        b"name,email,phone,language,mention_author\nSari,sari@example.com,,,\nBudi,budi@,,fr,\nTanpa,,,,\n"
    )
    response = _upload(client_a.login_as(ayu), review, content)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Row 3, email: Enter a valid email address." in html and "Row 3, language:" in html
    assert "Row 4, email: Give an email address or a phone number." in html
    assert not review.customers.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "not a CSV text file"),
        (b"\xff\xfe\x00n\x00a\x00m\x00e", "UTF-8"),
        (b"\x89PNG\r\n\x1a\n\xc3\x28", "UTF-8"),
        (b"", "empty"),  # an empty upload is refused by the form itself
        (b"nama,surel\nSari,sari@example.com\n", "header row must name the columns"),
        (b'email\n"unclosed,sari@example.com\n', "readable CSV"),
        (b"email,phone\nsari@example.com,0811,extra\n", "more cells than the header"),
        (b"email,phone\n\n", "no rows under its header"),
    ],
)
def test_admin_import_explains_an_odd_file_and_never_fails(review, client_a, ayu, content, message):
    response = _upload(client_a.login_as(ayu), review, content)
    assert response.status_code == 200 and message in response.content.decode()
    assert not review.customers.exists()


def test_admin_import_refuses_too_many_rows(review, client_a, ayu):
    content = b"phone\n" + b"".join(b"08%d\n" % n for n in range(review_services.CUSTOMERS_IMPORT_LIMIT + 1))
    response = _upload(client_a.login_as(ayu), review, content)
    assert response.status_code == 200 and "At most 1000 rows" in response.content.decode()
    assert not review.customers.exists()


def test_only_staff_of_the_brand_import(review, client_a, budi, citra):
    for user in (budi, citra):
        client_a.login_as(user)
        assert client_a.get(f"/admin/incidents/review/{review.pk}/import-customers/").status_code == 403
        assert _upload(client_a, review, b"email\nx@example.com\n").status_code == 403
    assert not review.customers.exists()


def test_brand_b_admin_cannot_import_into_brand_a(review, client_b, citra):
    response = _upload(client_b.login_as(citra), review, b"email\nx@example.com\n")
    assert response.status_code == 404
    assert not ReviewCustomer.objects.exists()
    assert timezone.now()  # the review stays brand A's only
