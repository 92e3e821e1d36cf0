"""The report page and its CSV exports: figures of the chosen period, bad periods refused with a
form message, CSV cells escaped against formula injection with times in the brand's zone and
headers in the reader's language; only the brand's own people see any of it."""

import csv
import io

import pytest

from tests.reports.fixtures import report_world_fixture  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

CUSTOM = "period=custom&start=2026-03-01&end=2026-03-02"


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_budi_sees_the_report_with_charts_tables_and_exports(report_world, client_a, budi):
    page = client_a.login_as(budi).get(f"/reports/?{CUSTOM}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-chart="chart-mentions-data"' in html and 'id="chart-mentions-data"' in html
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert f"/reports/export/mentions.csv?{CUSTOM}".replace("&", "&amp;") in html
    assert "Kopi basi" in html  # the incident that missed its resolve target
    assert "[DRILL]" not in html


def test_a_bad_period_is_a_form_message_not_an_error(in_brand_a, client_a, budi):
    page = client_a.login_as(budi).get("/reports/?period=custom&start=2026-03-05&end=2026-03-01")
    assert page.status_code == 400
    assert "The last day comes before the first." in page.content.decode()
    assert client_a.get("/reports/?period=30d&interval=hour").status_code == 400
    assert client_a.get("/reports/export/mentions.csv?period=month&month=20-1").status_code == 400


def test_csv_escapes_formulas_and_gives_days_in_the_brand_zone(report_world, client_a, budi):
    client_a.login_as(budi)
    rows = _csv(client_a.get(f"/reports/export/mentions.csv?{CUSTOM}"))
    assert rows[0][0] == "Day"
    assert [row[:3] for row in rows[1:]] == [["2026-03-01", "2", "2"], ["2026-03-02", "1", "0"]]
    # Titles and reasons are people's text: a leading =, +, -, @, tab or CR becomes text.
    from incidents.models import Incident

    Incident.objects.filter(number=901).update(title='=HYPERLINK("http://x")')
    missed = _csv(client_a.get(f"/reports/export/incidents_missed.csv?{CUSTOM}"))
    assert ["901", '\'=HYPERLINK("http://x")'] == missed[1][:2] or "'=HYPERLINK" in missed[2][1]
    hourly = _csv(client_a.get(f"/reports/export/mentions.csv?{CUSTOM}&interval=hour"))
    assert hourly[1][0] == "2026-03-01T00:00+07:00"


def test_csv_headers_follow_the_reader_language(report_world, client_a, budi):
    client_a.login_as(budi).cookies["django_language"] = "id"
    rows = _csv(client_a.get(f"/reports/export/mentions.csv?{CUSTOM}", HTTP_ACCEPT_LANGUAGE="id"))
    assert rows[0][0] == "Hari"


def test_unknown_table_is_a_404(in_brand_a, client_a, budi):
    assert client_a.login_as(budi).get("/reports/export/secrets.csv").status_code == 404


def test_citra_is_refused_brand_a_report_and_csv(report_world, client_a, citra):
    # The brand host's access middleware answers her every page of brand A with its plain
    # no-access page (as /reports/incidents/); the API answers 404 (test_api.py).
    client_a.login_as(citra)
    for path in ("/reports/", f"/reports/export/overview.csv?{CUSTOM}"):
        response = client_a.get(path)
        assert response.status_code in (403, 404)
        assert b"Kopi basi" not in response.content and b"Mentions" not in response.content


def test_the_incident_report_and_the_dashboard_link_the_report(in_brand_a, client_a, budi, ayu):
    assert 'href="/reports/"' in client_a.login_as(budi).get("/reports/incidents/").content.decode()
    assert 'href="/reports/"' in client_a.login_as(ayu).get("/admin/").content.decode()


def test_budi_sees_how_each_post_did_with_its_reply_sentiment_and_nothing_of_brand_b(
    client_a, api_key_a, budi, ayu, brand_a, brand_b
):
    """The report's Positive content section: each post published in the period with its reach,
    engagement and the sentiment of the replies to it, at the brand's time, in the reader's
    language; brand B's posts never appear."""
    from datetime import UTC, datetime

    from django_tenants.utils import tenant_context

    from content.models import Variant
    from tests.content.conftest import make_channel, published_variant
    from tests.helpers import bearer
    from tests.incidents.fixtures_early_warning import mention_row

    MANUAL = {"kind": "manual", "webhook_url": ""}
    day = datetime(2026, 3, 1, 2, 30, tzinfo=UTC)  # 09:30 in Jakarta
    with tenant_context(brand_a):
        post = published_variant(
            ayu, make_channel(ayu, **MANUAL), title="Tips menyeduh", reach=800, engaged=60
        )
        Variant.objects.filter(pk=post.pk).update(published_at=day)
    with tenant_context(brand_b):
        other = published_variant(
            None, make_channel(None, **MANUAL), title="Rahasia Batik", reach=999, engaged=99
        )
        Variant.objects.filter(pk=other.pk).update(published_at=day)
    replies = [
        mention_row(platform="x", parent_external_id=post.platform_post_id, text="Mantap!", sentiment=0.8),
        mention_row(platform="x", parent_external_id=post.platform_post_id, text="Kecewa", sentiment=-0.7),
    ]
    intake = client_a.post("/api/v1/mentions/", replies, content_type="application/json", **bearer(api_key_a))
    assert intake.status_code == 200, intake.content
    with tenant_context(brand_a):  # as the sentiment scorer would leave them
        from incidents.models import Mention

        Mention.objects.filter(text="Mantap!").update(sentiment=0.8, sentiment_band="positive")
        Mention.objects.filter(text="Kecewa").update(sentiment=-0.7, sentiment_band="negative")

    html = client_a.login_as(budi).get(f"/reports/?{CUSTOM}").content.decode()
    section = html[html.index('id="section-content-posts"') :]
    section = section[: section.index("</section>")]
    cells = [c.split(">", 1)[1] for c in section.split("<td")[1:]]
    assert cells[0].startswith("1 Mar 2026 09:30") and "Tips menyeduh" in cells[2]
    assert [c.split("<", 1)[0] for c in cells[3:9]] == ["800", "60", "2", "1", "1", "0.05"]
    assert "Rahasia Batik" not in html and "999" not in section
    client_a.cookies["django_language"] = "id"
    indonesian = client_a.get(f"/reports/?{CUSTOM}", HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert (
        "Konten positif: kinerja tiap unggahan" in indonesian and "Rata-rata sentimen balasan" in indonesian
    )
