"""The report PDF: rendered from a hand-built summary, read back with a PDF reader (its text, in
English and Indonesian, times in the brand's zone) and drawn to an image (its charts are there)."""

import io
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pypdf
import pypdfium2
import pytest

from reports.pdf import report_pdf_render
from reports.selectors import report_summary
from tests.reports.samples import END, START, sample_summary

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
BRAND = SimpleNamespace(name="Kopi Nusantara", slug="kopi", timezone="Asia/Jakarta", colour="#7c2d12")
# 17:30 UTC is 00:30 the next day in Jakarta.
GENERATED = datetime(2026, 12, 1, 17, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    summary = sample_summary(title="<b>Kopi & susu</b> basi")
    return {
        language: report_pdf_render(summary=summary, brand=BRAND, language=language, generated_at=GENERATED)
        for language in ("en", "id")
    }


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_english_pdf_holds_brand_period_and_figures(pdfs):
    text = _text(pdfs["en"])
    assert pdfs["en"].startswith(b"%PDF-")
    for expected in (
        "Report for Kopi Nusantara",
        "November 2026 · 1 Nov 2026 – 30 Nov 2026 (Asia/Jakarta)",
        "Compared with the previous period: 2 Oct 2026 – 31 Oct 2026",
        "12,345",  # mentions
        "17.0%",  # negative share
        "+23% vs previous",
        "Mention volume by sentiment",
        "Incidents by severity",
        "Instagram",
        "82.5%",  # CSAT
        "45 min",  # median first response
        "<b>Kopi & susu</b> basi",  # the brand's text is shown as written, never as markup
    ):
        assert expected in text, expected
    assert "Generated 2 Dec 2026 00:30 (Asia/Jakarta)" in text  # the brand's zone, not UTC


def test_indonesian_pdf_says_it_in_indonesian(pdfs):
    text = _text(pdfs["id"])
    for expected in (
        "Laporan untuk Kopi Nusantara",
        "Dibandingkan dengan periode sebelumnya: 2 Okt 2026 – 31 Okt 2026",
        "12.345",
        "17,0%",
        "Volume sebutan menurut sentimen",
        "Insiden per tingkat keparahan",
        "82,5%",
        "Dibuat 2 Des 2026 00:30 (Asia/Jakarta)",
    ):
        assert expected in text, expected
    assert "Report for" not in text


def test_pdf_holds_vector_charts_and_the_chart_area_is_drawn(pdfs):
    reader = pypdf.PdfReader(io.BytesIO(pdfs["en"]))
    content = reader.pages[0].get_contents().get_data()
    # Bars are filled rectangles in the sentiment colours (negative #dc2626 = .862745 .14902 .14902).
    assert content.count(b" re") > 60
    assert b".862745 .14902 .14902 rg" in content
    ARTIFACTS.mkdir(exist_ok=True)
    page = pypdfium2.PdfDocument(pdfs["en"])[0]
    image = page.render(scale=1).to_pil().convert("RGB")
    image.save(ARTIFACTS / "report-pdf-page1.png")
    width, height = image.size
    # The volume chart sits in the page's middle band: it must hold many red (negative) and green
    # (positive) pixels, not a blank area.
    band = image.crop((0, int(height * 0.3), width, int(height * 0.55)))
    raw = band.tobytes()
    pixels = [raw[i : i + 3] for i in range(0, len(raw), 3)]
    red = sum(1 for r, g, b in pixels if r > 180 and g < 80 and b < 80)
    green = sum(1 for r, g, b in pixels if g > 130 and r < 80 and b < 120)
    assert red > 1000 and green > 1000, (red, green)


def test_an_empty_period_renders_and_says_there_is_nothing(in_brand_a):
    summary = report_summary(start=START, end=END, key="month", label="November 2026")  # no data in A
    text = _text(report_pdf_render(summary=summary, brand=BRAND, language="en", generated_at=GENERATED))
    assert "No mentions in this period." in text and "No incidents in this period." in text


def test_the_severity_chart_draws_sev1_first_and_darkest():
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.lib import colors

    from reports.charts import severity_chart

    rows = [
        {"severity": 4, "label": "SEV4 · Low", "count": 1},
        {"severity": 1, "label": "SEV1 · Critical", "count": 2},
    ]
    drawing = severity_chart(rows, title="Incidents by severity", empty="None", width=300)
    [chart] = [shape for shape in drawing.contents if isinstance(shape, VerticalBarChart)]
    assert chart.categoryAxis.categoryNames == ["SEV1 · Critical", "SEV4 · Low"]
    assert chart.bars[(0, 0)].fillColor == colors.HexColor("#b91c1c")  # the worst, darkest red
    assert chart.bars[(0, 1)].fillColor == colors.HexColor("#fde68a")
