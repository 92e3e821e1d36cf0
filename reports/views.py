"""The brand report on the brand host (/reports/): figures over a chosen period against the
previous one, charts with their tables, and each table as CSV. Every person with a grant on the
brand reads it (client viewers and approvers included); the middleware has already refused
everyone else with the same 404 as a missing page."""

import csv

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from reports.periods import Period, period_resolve
from reports.selectors import report_content_posts, report_mention_points, report_summary, report_timeseries
from reports.tables import TABLE_KEYS, chart_data, duration, report_tables, table_cells
from tenants.errors import DomainError
from tenants.roles import request_can
from tenants.spreadsheet import csv_cell

HOURLY_MAX_DAYS = 7


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        required=False,
        choices=[
            ("7d", _("Last 7 days")),
            ("30d", _("Last 30 days")),
            ("90d", _("Last 90 days")),
            ("month", _("Calendar month")),
            ("custom", _("Custom dates")),
        ],
    )
    month = forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-\d{2}$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"}),
    )
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    interval = forms.ChoiceField(
        label=_("Mentions"),
        required=False,
        choices=[("day", _("per day")), ("hour", _("per hour (7 days at most)"))],
    )

    def resolve(self, tz: str) -> Period | None:
        """The chosen period, or None with the form's errors filled in."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        try:
            period = period_resolve(
                tz=tz, key=data.get("period") or "30d", month=data.get("month") or None,
                start=data.get("start"), end=data.get("end"),
            )  # fmt: skip
        except DomainError as error:
            for name, messages in error.field_errors.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
            return None
        if data.get("interval") == "hour" and period.days > HOURLY_MAX_DAYS:
            self.add_error(
                "interval", _("Hourly figures cover 7 days at most; choose the last 7 days or custom dates.")
            )
            return None
        return period


def _require_reader(request: HttpRequest) -> None:
    if not request_can(request, "brand.read"):
        raise Http404


def _tables(period: Period, *, hourly: bool = False) -> tuple[dict, dict]:
    summary = report_summary(
        start=period.start,
        end=period.end,
        key=period.key,
        label=period.label,
        previous_start=period.previous_start,
    )
    followers = report_timeseries(metric="followers", interval="day", start=period.start, end=period.end)
    points = report_mention_points(start=period.start, end=period.end, interval="hour") if hourly else None
    return summary, report_tables(summary, followers_series=followers["points"], mention_points=points)


@require_GET
def report_page(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    tz = request.tenant.timezone
    form = PeriodForm(request.GET or None)
    period = form.resolve(tz) if request.GET else period_resolve(tz=tz, key="30d")
    context = {"brand": request.tenant, "form": form, "period": period}
    if period is None:
        return render(request, "reports/report.html", context, status=400)
    hourly = form.is_bound and form.cleaned_data.get("interval") == "hour"
    summary, tables = _tables(period, hourly=hourly)
    charts = {}
    for key, table in tables.items():
        data = chart_data(table, tz)
        if data:
            charts[key] = data
    context.update(
        summary=summary,
        hourly=hourly,
        content_posts=report_content_posts(start=period.start, end=period.end),
        sections=[
            {
                "key": key,
                "table": table,
                "cells": table_cells(table, tz),
                "chart": charts.get(key),
                "chart_id": f"chart-{key}",
                "data_id": f"chart-{key}-data",
            }
            for key, table in tables.items()
        ],
        export_query=period.query(),
        timing={
            "first_response_median": duration(summary["incidents"]["first_response"]["median_s"]),
            "first_response_p90": duration(summary["incidents"]["first_response"]["p90_s"]),
            "resolve_median": duration(summary["incidents"]["resolve"]["median_s"]),
            "resolve_p90": duration(summary["incidents"]["resolve"]["p90_s"]),
            "approval_median": duration(summary["responses"]["approval_median_s"]),
            "approval_p90": duration(summary["responses"]["approval_p90_s"]),
        },
    )
    return render(request, "reports/report.html", context)


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def report_export_csv(request: HttpRequest, table: str) -> HttpResponse:
    """One of the report's tables as CSV: headers in the reader's language, times in the brand's
    zone, every text cell escaped against formula injection."""
    _require_reader(request)
    if table not in TABLE_KEYS:
        raise Http404
    form = PeriodForm(request.GET or None)
    tz = request.tenant.timezone
    period = form.resolve(tz) if request.GET else period_resolve(tz=tz, key="30d")
    if period is None:
        errors = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    hourly = form.cleaned_data.get("interval") == "hour" if form.is_bound else False
    _summary, tables = _tables(period, hourly=hourly)
    chosen = tables[table]
    writer = csv.writer(_Echo())
    lines = [writer.writerow([csv_cell(column.title) for column in chosen.columns])]
    lines += [
        writer.writerow([csv_cell(cell) for cell in row]) for row in table_cells(chosen, tz, for_csv=True)
    ]
    response = StreamingHttpResponse(iter(lines), content_type="text/csv; charset=utf-8")
    filename = f"report-{request.tenant.slug}-{table}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
