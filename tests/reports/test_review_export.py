"""A post-crisis review downloaded as Markdown or PDF: staff export everything from the brand admin,
the client exports what their report page shows (figures for them, pinned timeline, lessons and
follow-ups marked for them; never drills, open reviews or internal notes). Both carry the
before/during/after chart, speak the reader's language, escape people's text, and stay inside the
brand and the roles that may read them."""

import io
import re

import pypdf
import pytest
from django.db import connection
from django.utils import timezone
from markdown_it import MarkdownIt

from incidents.models import Incident, Review
from incidents.services import reviews as review_services
from incidents.services.incidents import incident_open, incident_transition
from incidents.services.team import assignment_add
from incidents.services.timeline import timeline_note_add
from tenants.models import AgencyMembership, BrandGrant, User
from tenants.services import agency_create
from tests.incidents.fixtures_crisis import *  # noqa: F403 (shared fixtures)
from tests.incidents.fixtures_crisis import make_mention, make_person

pytestmark = pytest.mark.django_db

INJECTION = "[klik di sini](https://jahat.example) <img src=x onerror=alert(1)>\n# Judul palsu"


@pytest.fixture
def review(crisis_incident, ayu, ayu_member):
    """A resolved crisis with two negative and one positive mention before it, a pinned and an
    internal note, lessons and follow-ups for the client and internal ones."""
    for band in ("negative", "negative", "positive"):
        make_mention(sentiment_band=band)
    assignment_add(incident_id=crisis_incident.pk, actor=ayu, member_id=ayu_member.pk)
    timeline_note_add(incident_id=crisis_incident.pk, actor=ayu, text="Pernyataan resmi terbit", pinned=True)
    timeline_note_add(incident_id=crisis_incident.pk, actor=ayu, text="Catatan internal: pemasok telat")
    incident_transition(incident_id=crisis_incident.pk, actor=ayu, to_status="resolved", summary="Diganti")
    review = Review.objects.get(incident=crisis_incident)
    review_services.review_figures_compute(review_id=review.pk)
    add_lesson = review_services.review_lesson_add
    add_lesson(review_id=review.pk, actor=ayu, text="Siapkan stok cadangan", accepted=True)
    add_lesson(review_id=review.pk, actor=ayu, text="Internal: gudang lalai", visible_to_client=False)
    add_lesson(review_id=review.pk, actor=ayu, text=INJECTION)
    due = timezone.now() + timezone.timedelta(days=7)
    add_item = review_services.review_action_item_add
    add_item(review_id=review.pk, actor=ayu, title="Audit gudang", owner_id=ayu_member.pk, due_at=due,
             visible_to_client=True)  # fmt: skip
    add_item(review_id=review.pk, actor=ayu, title="Tegur pemasok", owner_id=ayu_member.pk, due_at=due)
    review_services.review_feedback_submit(review_id=review.pk, actor=ayu, rating=4, text="Cepat")
    return review


def _complete(review, ayu):
    Incident.objects.filter(pk=review.incident_id).update(root_cause_notes="Gudang panas")
    return review_services.review_complete(review_id=review.pk, actor=ayu, summary="Pulih dalam dua hari")


def _staff_url(review, fmt="md"):
    return f"/admin/incidents/review/{review.pk}/export.{fmt}"


def _client_url(review, fmt="md"):
    return f"/reports/incidents/{review.incident_id}/review/export.{fmt}"


def _pdf_text(response) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)


# --- Staff ------------------------------------------------------------------------------------


def test_staff_markdown_holds_everything(review, ayu, client_a):
    _complete(review, ayu)
    response = client_a.login_as(ayu).get(_staff_url(review))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    number = review.incident.number
    assert re.fullmatch(
        rf'attachment; filename="kopi-review-{number}-\d{{4}}-\d{{2}}-\d{{2}}-staff\.md"',
        response["Content-Disposition"],
    )
    text = response.content.decode()
    assert f"# Post\\-crisis review: #{number}" in text or f"# Post-crisis review: #{number}" in text
    assert "Figures computed" in text and "| done |" in text.lower()  # the steps with their states
    assert "Time to resolve" in text and "Incident opened to resolved" in text  # figure and its method
    assert "| 2 / 0 / 0 |" in text and "66.7%" in text  # negative volume and share before/during/after
    assert "Catatan internal: pemasok telat" in text and "Pernyataan resmi terbit" in text
    assert "gudang lalai" in text and "Tegur pemasok" in text  # internal lesson and follow-up
    assert "Team members asked" in text and "Average rating (1–5):** 4.0" in text
    assert "Gudang panas" in text  # root-cause notes
    assert "Completed by the team" in text and "Ayu" in text


def test_staff_may_export_an_open_review(review, ayu, client_a):
    response = client_a.login_as(ayu).get(_staff_url(review))
    assert response.status_code == 200 and "Open" in response.content.decode()


def test_staff_pdf_draws_the_chart_and_internal_items(review, ayu, client_a):
    _complete(review, ayu)
    response = client_a.login_as(ayu).get(_staff_url(review, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].endswith('-staff.pdf"')
    text = _pdf_text(response)
    assert "Negative mentions before, during and after the crisis" in text  # the chart's title
    assert "66.7%" in text  # a bar label of the share panel
    assert "gudang lalai" in text and "Incident opened to resolved" in text


def test_every_staff_role_exports_and_no_client_role_does(review, ayu, client_a, in_brand_a):
    _complete(review, ayu)
    for role in BrandGrant.STAFF_ROLES:
        person = make_person(role)
        assert client_a.login_as(person).get(_staff_url(review)).status_code == 200, role
    for role in BrandGrant.CLIENT_ROLES:
        person = make_person(role)
        response = client_a.login_as(person).get(_staff_url(review))
        assert response.status_code == 403 and b"gudang" not in response.content, role


def test_signed_out_visitor_is_sent_to_sign_in(review, client_a):
    response = client_a.get(_staff_url(review))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_an_unknown_format_is_missing(review, ayu, budi, client_a):
    _complete(review, ayu)
    assert client_a.login_as(ayu).get(_staff_url(review, "docx")).status_code == 404
    assert client_a.login_as(budi).get(_client_url(review, "docx")).status_code == 404


# --- Client -----------------------------------------------------------------------------------


def test_client_markdown_shows_only_what_is_marked_for_the_client(review, ayu, budi, client_a):
    _complete(review, ayu)
    response = client_a.login_as(budi).get(_client_url(review))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert re.fullmatch(
        rf'attachment; filename="kopi-review-{review.incident.number}-\d{{4}}-\d{{2}}-\d{{2}}\.md"',
        response["Content-Disposition"],
    )
    text = response.content.decode()
    assert "Pulih dalam dua hari" in text and "Time to first response" in text
    assert "66.7 %" in text  # the client figures of the report page (incidents.selectors_reviews)
    assert "Pernyataan resmi terbit" in text  # pinned
    assert "Siapkan stok cadangan" in text and "Audit gudang" in text  # marked for the client
    for internal in ("Catatan internal", "gudang lalai", "Tegur pemasok", "Gudang panas",
                     "Incident opened to resolved", "Figures computed", "Team members asked"):  # fmt: skip
        assert internal not in text, internal


def test_client_pdf_has_the_chart_and_nothing_internal(review, ayu, budi, client_a):
    _complete(review, ayu)
    response = client_a.login_as(budi).get(_client_url(review, "pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = _pdf_text(response)
    assert "Negative mentions before, during and after the crisis" in text and "66.7%" in text
    assert "Siapkan stok cadangan" in text and "Pernyataan resmi terbit" in text
    assert "gudang lalai" not in text and "Catatan internal" not in text and "Tegur pemasok" not in text


def test_client_export_of_an_open_review_is_missing(review, budi, client_a):
    client_a.login_as(budi)
    assert client_a.get(_client_url(review)).status_code == 404
    assert client_a.get(_client_url(review, "pdf")).status_code == 404


def test_drills_are_never_exported_to_clients(in_brand_a, ayu, budi, client_a):
    drill = incident_open(actor=ayu, title="Latihan banjir", severity=2, is_drill=True)
    incident_transition(incident_id=drill.pk, actor=ayu, to_status="resolved", summary="Selesai")
    Incident.objects.filter(pk=drill.pk).update(root_cause_notes="Latihan")
    review = Review.objects.get(incident=drill)
    review_services.review_figures_compute(review_id=review.pk)
    review_services.review_complete(review_id=review.pk, actor=ayu, summary="Latihan selesai")
    approver = make_person("client_approver")
    for person in (budi, approver, ayu):  # staff on the client's page get the client's copy too
        client_a.login_as(person)
        assert client_a.get(_client_url(review)).status_code == 404
        assert client_a.get(_client_url(review, "pdf")).status_code == 404
    staff = client_a.login_as(ayu).get(_staff_url(review))
    assert staff.status_code == 200 and "[DRILL]" in staff.content.decode()


def test_markdown_is_in_the_readers_language_and_the_brands_zone(review, ayu, budi, client_a):
    _complete(review, ayu)
    text = client_a.login_as(budi).get(_client_url(review), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Tinjauan pascakrisis" in text and "Pelajaran" in text and "Tindak lanjut" in text
    assert "Post-crisis review" not in text and "Lessons learned" not in text
    resolved = Incident.objects.get(pk=review.incident_id).resolved_at
    local = timezone.localtime(resolved, timezone.zoneinfo.ZoneInfo("Asia/Jakarta"))
    assert f"{local:%H:%M}" in text and "Asia/Jakarta" in text


def test_staff_markdown_in_indonesian(review, ayu, client_a):
    User.objects.filter(pk=ayu.pk).update(language="id")
    text = client_a.login_as(ayu).get(_staff_url(review)).content.decode()
    assert "Langkah" in text and "Cara menghitung" in text and "Selesai" in text


def test_peoples_text_cannot_inject_markdown_or_html(review, ayu, budi, client_a):
    _complete(review, ayu)
    for person, url in ((ayu, _staff_url(review)), (budi, _client_url(review))):
        text = client_a.login_as(person).get(url).content.decode()
        assert "\\[klik di sini\\](" in text and "\\<img" in text  # escaped, not dropped
        assert not any(line.startswith("# Judul") for line in text.splitlines())
        html = MarkdownIt("commonmark").enable("table").render(text)
        assert "<a " not in html and "<img" not in html and html.count("<h1>") == 1
        shown = "[klik di sini](https://jahat.example) &lt;img src=x onerror=alert(1)&gt; # Judul palsu"
        assert shown in html


# --- Brands and agencies ------------------------------------------------------------------------


def test_other_brands_and_agencies_never_get_brand_a_reviews(review, ayu, citra, client_a, client_b):
    _complete(review, ayu)
    outsider = User.objects.create_user("staf.lain@example.com", "x")
    AgencyMembership.objects.create(
        user=outsider, agency=agency_create(slug="lain", name="Lain PR"), role="owner"
    )
    connection.set_schema_to_public()
    viewer_b = make_person("client_viewer", brand_slug="batik")
    for person in (citra, outsider, viewer_b):
        for url in (_staff_url(review), _client_url(review), _client_url(review, "pdf")):
            refused = client_a.login_as(person).get(url)
            assert refused.status_code in (403, 404) and b"Siapkan" not in refused.content
            assert refused["Content-Type"] not in ("application/pdf", "text/markdown; charset=utf-8")
    # On brand B's own host, brand A's ids name nothing.
    assert client_b.login_as(citra).get(_staff_url(review)).status_code == 404
    assert client_b.login_as(citra).get(_client_url(review)).status_code == 404
    assert client_b.login_as(viewer_b).get(_client_url(review)).status_code == 404


# --- The pages link to the exports and draw the chart -----------------------------------------------


def test_admin_review_page_links_the_exports_and_carries_the_chart(review, ayu, client_a):
    html = client_a.login_as(ayu).get(f"/admin/incidents/review/{review.pk}/change/").content.decode()
    assert _staff_url(review, "pdf") in html and _staff_url(review, "md") in html
    assert 'id="review-chart-data"' in html and 'data-chart="review-chart-data"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "reports/report.js" in html


def test_client_review_page_links_the_exports_and_carries_the_chart(review, ayu, budi, client_a):
    _complete(review, ayu)
    response = client_a.login_as(budi).get(f"/reports/incidents/{review.incident_id}/")
    html = response.content.decode()
    assert _client_url(review, "pdf") in html and _client_url(review, "md") in html
    data = re.search(r'<script id="review-chart-data" type="application/json">(.*?)</script>', html).group(1)
    assert '"data": [2, 0, 0]' in data and "66.7" in data
    # The chart runs from static files under the strict policy: no inline script is allowed.
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src
