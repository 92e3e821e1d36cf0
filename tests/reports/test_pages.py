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
