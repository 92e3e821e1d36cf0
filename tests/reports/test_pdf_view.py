"""The report PDF on the brand host: every role that reads reports gets it, in the page's language;
another brand's staff never get brand A's; a bad period is a 400 with field errors."""

import io
from datetime import UTC, datetime, timedelta

import pypdf
import pytest

from tests.reports.fixtures import report_world_fixture  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
URL = "/reports/export/report.pdf"


def _text(response) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)


def _words(response) -> str:
    """The PDF's text with every run of white space one space (a table cell wraps its lines)."""
    return " ".join(_text(response).split())


def test_client_viewer_downloads_the_brand_report_pdf(client_a, budi):
    response = client_a.login_as(budi).get(URL, {"period": "month", "month": "2026-11"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="kopi-report-2026-11-01-2026-11-30.pdf"' in response["Content-Disposition"]
    text = _text(response)
    assert "Report for Kopi Nusantara" in text and "1 Nov 2026 – 30 Nov 2026 (Asia/Jakarta)" in text


def test_pdf_holds_the_figures_of_the_brand_data(report_world, client_a, budi):
    """The hand-computed world of tests/reports/fixtures.py: 1–2 March 2026 against 27–28 February."""
    response = client_a.login_as(budi).get(
        URL, {"period": "custom", "start": "2026-03-01", "end": "2026-03-02"}
    )
    text = _text(response)
    assert "1 Mar 2026 – 2 Mar 2026 (Asia/Jakarta)" in text
    assert "Compared with the previous period: 27 Feb 2026 – 28 Feb 2026" in text
    assert "66.7%" in text  # negative share: two of the three mentions in the period
    assert "Kopi basi" in text and "[DRILL]" not in text  # the incident that missed; drills never


def test_pdf_is_in_the_readers_language(client_a, ayu):
    response = client_a.login_as(ayu).get(URL, {"period": "7d"}, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    assert "Laporan untuk Kopi Nusantara" in _text(response)


def test_other_brand_staff_never_get_brand_a_report(client_a, client_b, citra):
    refused = client_a.login_as(citra).get(URL)
    assert refused.status_code in (403, 404) and refused["Content-Type"] != "application/pdf"
    own = client_b.login_as(citra).get(URL, {"period": "30d"})
    text = _text(own)
    assert "Batik Lestari" in text and "Kopi Nusantara" not in text


def test_signed_out_visitor_is_sent_to_sign_in(client_a):
    response = client_a.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "forever"}, "period"),
        ({"period": "custom", "start": "2026-11-31", "end": "2026-12-01"}, "start"),
        ({"period": "custom", "start": "2026-11-10", "end": "2026-11-01"}, "end"),
        ({"period": "month", "month": "November"}, "month"),
    ],
)
def test_bad_period_is_a_400_with_field_errors(client_a, budi, params, field):
    response = client_a.login_as(budi).get(URL, params)
    assert response.status_code == 400 and field in response.json()["errors"]


# --- Positive content: each published post with its reach, engagement and reply sentiment --------
NOVEMBER = {"period": "month", "month": "2026-11"}
# 20:30 UTC on 10 November is 03:30 on the 11th in Jakarta, the brand's zone.
POSTED = datetime(2026, 11, 10, 20, 30, tzinfo=UTC)


def _post(title: str, *, reach: int = 1234, engaged: int = 321, replies: tuple[str, ...] = ()):
    """A post published at POSTED in the current brand, its figures reported and others' replies
    to it taken in and scored as the mentions stream does."""
    from content.models import Variant
    from incidents.services.intake import mentions_ingest, mentions_score_pending
    from tests.content.conftest import make_channel, published_variant

    channel = make_channel(None, kind="manual", webhook_url="", platforms=["x"])
    variant = published_variant(None, channel, reach=reach, engaged=engaged, title=title)
    Variant.objects.filter(pk=variant.pk).update(published_at=POSTED, scheduled_at=POSTED)
    rows = [
        {
            "platform": "x",
            "external_id": f"{variant.platform_post_id}-r{n}",
            "parent_external_id": variant.platform_post_id,
            "kind": "comment",
            "author_handle": f"@reader{n}",
            "text": text,
            "posted_at": (POSTED + timedelta(hours=1)).isoformat(),
        }
        for n, text in enumerate(replies)
    ]
    if rows:
        mentions_ingest(rows=rows)
        mentions_score_pending()
    return variant


def _unpublished(title: str, status: str):
    """A variant of the period that never went out (drafted, scheduled or held)."""
    from content.models import Variant
    from tests.content.conftest import approved_variant

    variant = approved_variant(None, title=title)
    Variant.objects.filter(pk=variant.pk).update(status=status, scheduled_at=POSTED)


@pytest.fixture
def content_world(brand_a, brand_b):
    """Brand A: a published post with a title that looks like markup, one positive and one
    negative reply; a draft, a scheduled and a held post. Brand B: a published post of its own."""
    from django_tenants.utils import tenant_context

    with tenant_context(brand_a):
        _post(
            "<b>Kopi & susu</b> pagi",
            replies=("Mantap, kopinya enak banget!", "Kecewa, pesanan saya datang terlambat dan dingin"),
        )
        for title, status in (
            ("Draf rahasia", "draft"),
            ("Jadwal rahasia", "scheduled"),
            ("Tahan rahasia", "held"),
        ):
            _unpublished(title, status)
    with tenant_context(brand_b):
        _post("Batik rahasia B", reach=777, engaged=77)


def test_pdf_shows_each_published_post_as_the_page_does(content_world, client_a, budi):
    from django_tenants.utils import tenant_context

    from reports.periods import period_resolve
    from reports.selectors import report_content_posts
    from tenants.models import Brand
    from tests.helpers import BRAND_A

    brand = Brand.objects.get(slug=BRAND_A)
    with tenant_context(brand):
        period = period_resolve(tz=brand.timezone, key="month", month="2026-11")
        [post] = report_content_posts(start=period.start, end=period.end)
    assert post["replies"] == 2 and post["positive"] == 1 and post["negative"] == 1
    mean = f"{post['mean_sentiment']:.2f}"

    text = _words(client_a.login_as(budi).get(URL, NOVEMBER))
    assert "Positive content: how each post did" in text
    assert "<b>Kopi & susu</b> pagi" in text  # the brand's text as written, never as markup
    assert "11 Nov 2026 03:30" in text and "10 Nov 2026 20:30" not in text  # the brand's zone
    for figure in ("1,234", "321", mean):
        assert figure in text, figure
    for never in ("Draf rahasia", "Jadwal rahasia", "Tahan rahasia", "Batik rahasia B", "777"):
        assert never not in text, never
    # The page reads the same selector: the same post, figures and mean reply sentiment.
    page = client_a.get("/reports/", NOVEMBER).content.decode()
    assert "1234" in page and "321" in page and mean in page


def test_pdf_posts_of_brand_b_are_b_s_alone(content_world, client_b, citra):
    text = _words(client_b.login_as(citra).get(URL, NOVEMBER))
    assert "Batik rahasia B" in text and "777" in text
    assert "Kopi & susu" not in text and "1,234" not in text


def test_pdf_posts_section_in_indonesian(content_world, client_a, ayu):
    text = _words(client_a.login_as(ayu).get(URL, NOVEMBER, HTTP_ACCEPT_LANGUAGE="id"))
    assert "Konten positif: kinerja tiap unggahan" in text
    assert "11 Nov 2026 03:30" in text and "1.234" in text
    assert "Rata-rata sentimen balasan" in text and "Jangkauan" in text
    assert "Positive content: how each post did" not in text
