"""The report API: every reader of the brand (clients and the API key included) gets the figures;
bad parameters are a 400 with field errors; another brand's staff get a 404."""

import pytest

from tests.helpers import bearer
from tests.reports.fixtures import report_world_fixture  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

CUSTOM = "period=custom&start=2026-03-01&end=2026-03-02"


def test_budi_reads_the_summary_of_his_brand(report_world, client_a, budi):
    body = client_a.login_as(budi).get(f"/api/v1/reports/summary/?{CUSTOM}").json()
    assert body["mentions"]["total"] == 3
    assert body["incidents"]["count"] == 2  # the drill is not counted
    assert body["period"]["timezone"] == "Asia/Jakarta"


def test_the_api_key_reads_an_hourly_series_within_seven_days(report_world, client_a, api_key_a):
    response = client_a.get(
        "/api/v1/reports/timeseries/?metric=mentions&interval=hour&period=custom&start=2026-03-01&end=2026-03-01",
        **bearer(api_key_a),
    )
    assert response.status_code == 200, response.content
    assert len(response.json()["points"]) == 24
    assert sum(p["value"] for p in response.json()["points"]) == 2


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("metric=mentions&interval=hour&period=30d", "interval"),
        ("metric=nope", "metric"),
        ("metric=mentions&period=custom&start=2026-03-05&end=2026-03-01", "end"),
        ("metric=mentions&period=custom&start=0001-01-01&end=2026-03-01", "start"),
        ("metric=mentions&period=month&month=2026-13", "month"),
        ("metric=mentions&period=week", "period"),
    ],
)
def test_bad_parameters_are_a_400_with_field_errors(in_brand_a, client_a, budi, query, field):
    response = client_a.login_as(budi).get(f"/api/v1/reports/timeseries/?{query}")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_citra_gets_404_on_brand_a_report_api(in_brand_a, client_a, citra):
    client_a.login_as(citra)
    assert client_a.get("/api/v1/reports/summary/").status_code == 404
    assert client_a.get("/api/v1/reports/timeseries/?metric=mentions").status_code == 404


def test_the_schema_documents_both_endpoints_with_examples_and_an_answer_that_matches(
    report_world, client_a, budi
):
    schema = client_a.get("/api/schema/?format=json").json()
    summary = schema["paths"]["/api/v1/reports/summary/"]["get"]
    assert {p["name"] for p in summary["parameters"]} >= {"period", "month", "start", "end"}
    assert summary["responses"]["200"]["content"]["application/json"]["examples"]
    assert "400" in summary["responses"]
    timeseries = schema["paths"]["/api/v1/reports/timeseries/"]["get"]
    assert next(p for p in timeseries["parameters"] if p["name"] == "metric")["required"]
    # Every key of a real answer is documented.
    documented = schema["components"]["schemas"]["ReportSummaryOut"]["properties"]
    body = client_a.login_as(budi).get(f"/api/v1/reports/summary/?{CUSTOM}").json()
    assert set(body) == set(documented)
