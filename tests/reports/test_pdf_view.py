"""The report PDF on the brand host: every role that reads reports gets it, in the page's language;
another brand's staff never get brand A's; a bad period is a 400 with field errors."""

import io

import pypdf
import pytest

from tests.reports.fixtures import report_world_fixture  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
URL = "/reports/export/report.pdf"


def _text(response) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)


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
