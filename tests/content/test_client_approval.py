"""Content approved by the client on the report pages (/reports/content/): when the brand
requires it, items in review wait for the client approver, who approves or rejects with a comment;
each decision is on the item's history once; viewers, staff approvers and other brands cannot."""

import pytest
from django.db import connection

from content.models import ContentItem, ContentSettings, HistoryEntry
from content.services import item_approve, item_submit
from tenants.errors import DomainError
from tests.content.conftest import make_item
from tests.incidents.fixtures_crisis import make_person

pytestmark = pytest.mark.django_db

URL = "/reports/content/"


@pytest.fixture
def waiting_item(in_brand_a):
    ContentSettings.objects.update_or_create(pk=1, defaults={"client_approval_required": True})
    item = make_item(title="Tips menyeduh kopi")
    return item_submit(item_id=item.pk, actor=None)


def _history(item, action) -> int:
    return HistoryEntry.objects.filter(item=item, action=action).count()


def test_client_approver_approves_once_from_the_report_page(waiting_item, client_a):
    approver = make_person("client_approver")
    client_a.login_as(approver)
    page = client_a.get(URL).content.decode()
    assert "Tips menyeduh kopi" in page and 'id="nav-waiting"' in page and "(1)" in page
    for _ in range(2):  # a repeated decision records nothing twice
        assert (
            client_a.post(f"{URL}decide/", {"item_id": waiting_item.pk, "decision": "approve"}).status_code
            == 302
        )
    assert ContentItem.objects.get(pk=waiting_item.pk).status == ContentItem.Status.APPROVED
    entry = HistoryEntry.objects.get(item=waiting_item, action=HistoryEntry.Action.APPROVED)
    assert entry.actor_id == approver.pk


def test_an_empty_reject_comment_is_a_form_error_and_a_comment_rejects(waiting_item, client_a):
    client_a.login_as(make_person("client_approver"))
    empty = client_a.post(f"{URL}decide/", {"item_id": waiting_item.pk, "decision": "reject", "comment": " "})
    assert empty.status_code == 400 and "Say what needs to change." in empty.content.decode()
    assert ContentItem.objects.get(pk=waiting_item.pk).status == ContentItem.Status.IN_REVIEW
    for _ in range(2):
        client_a.post(
            f"{URL}decide/", {"item_id": waiting_item.pk, "decision": "reject", "comment": "Terlalu kaku"}
        )
    assert ContentItem.objects.get(pk=waiting_item.pk).status == ContentItem.Status.DRAFT
    assert (
        HistoryEntry.objects.get(item=waiting_item, action=HistoryEntry.Action.REJECTED).comment
        == "Terlalu kaku"
    )


def test_staff_approvers_wait_for_the_client_but_may_send_back(waiting_item, ayu):
    with pytest.raises(DomainError):
        item_approve(item_id=waiting_item.pk, actor=ayu)
    assert _history(waiting_item, HistoryEntry.Action.APPROVED) == 0


def test_budi_sees_the_list_but_cannot_decide(waiting_item, budi, client_a):
    client_a.login_as(budi)
    page = client_a.get(URL).content.decode()
    assert "Tips menyeduh kopi" in page and 'name="decision"' not in page
    assert (
        client_a.post(f"{URL}decide/", {"item_id": waiting_item.pk, "decision": "approve"}).status_code == 403
    )
    assert ContentItem.objects.get(pk=waiting_item.pk).status == ContentItem.Status.IN_REVIEW


def test_citra_finds_nothing_of_brand_a(waiting_item, citra, client_b):
    client_b.login_as(citra)
    assert "Tips menyeduh kopi" not in client_b.get(URL).content.decode()
    connection.set_schema_to_public()
    answer = client_b.post(f"{URL}decide/", {"item_id": waiting_item.pk, "decision": "approve"})
    assert answer.status_code == 404
