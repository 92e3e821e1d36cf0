"""Reports REST API on a brand host (/api/v1/reports/): the brand report's figures over a period,
and one metric as a time series. Every role that reads the brand (clients included) and the
brand's API key may read; nothing here writes."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from reports.periods import PERIOD_KEYS, period_resolve
from reports.selectors import METRICS, report_summary, report_timeseries
from reports.serializers import ReportSummaryOut, ReportTimeseriesOut
from tenants.api_base import BrandApiView
from tenants.errors import DomainError

TAG = ["reports"]
HOURLY_MAX_DAYS = 7

_PERIOD_PARAMETERS = [
    OpenApiParameter(
        "period",
        str,
        enum=list(PERIOD_KEYS),
        description="Last 7/30/90 days (today included, days cut at the brand's midnight), a calendar "
        "month, or custom dates. Default 30d.",
    ),
    OpenApiParameter("month", str, description="With period=month: YYYY-MM (default: this month).", pattern=r"^\d{4}-\d{2}$"),
    OpenApiParameter("start", str, description="With period=custom: the first day, YYYY-MM-DD.", pattern=r"^\d{4}-\d{2}-\d{2}$"),
    OpenApiParameter("end", str, description="With period=custom: the last day (included), YYYY-MM-DD.", pattern=r"^\d{4}-\d{2}-\d{2}$"),
]  # fmt: skip
_ERROR = OpenApiResponse(
    OpenApiTypes.OBJECT,  # the one Error component (tenants/schema.py fills it in)
    description="Bad parameters: `{detail, errors: {field: [message]}}`.",
    examples=[
        OpenApiExample(
            "Hourly over a month",
            value={"detail": "Hourly points cover at most 7 days.", "errors": {"interval": ["Use day, or a period of at most 7 days."]}},
        )
    ],
)  # fmt: skip


class PeriodInput(serializers.Serializer):
    period = serializers.ChoiceField(choices=PERIOD_KEYS, default="30d")
    month = serializers.RegexField(r"^\d{4}-\d{2}$", required=False)
    start = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    end = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])


def parameters(serializer_class, request) -> dict:
    """The query parameters, or a DomainError: one error shape ({detail, errors}) for every 400."""
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        raise DomainError(
            "Check the parameters.",
            field_errors={k: [str(m) for m in v] for k, v in serializer.errors.items()},
        )
    return serializer.validated_data


def period_from(request, data: dict):
    return period_resolve(
        tz=request.tenant.timezone,
        key=data["period"],
        month=data.get("month"),
        start=data.get("start"),
        end=data.get("end"),
    )


_SUMMARY_EXAMPLE = {
    "period": {"key": "30d", "label": "Last 30 days", "start": "2026-11-02T00:00:00+07:00",
               "end": "2026-12-02T00:00:00+07:00", "previous_start": "2026-10-03T00:00:00+07:00",
               "previous_end": "2026-11-02T00:00:00+07:00", "timezone": "Asia/Jakarta"},
    "mentions": {"total": 1200, "negative": 300, "neutral": 500, "positive": 400, "complaints": 320,
                 "answered": 700, "negative_share": 0.25,
                 "previous": {"total": 1000, "negative": 150, "negative_share": 0.15, "complaints": 170},
                 "by_platform": [{"platform": "instagram", "total": 800, "negative": 200, "neutral": 300,
                                  "positive": 300, "negative_share": 0.25}]},
    "series": {"interval": "day", "points": [{"at": "2026-11-02T00:00:00+07:00", "total": 40, "negative": 10,
                                              "neutral": 15, "positive": 15, "complaints": 11, "answered": 20,
                                              "negative_share": 0.25}]},
    "followers": [{"platform": "instagram", "start": 52000, "end": 51400, "change": -600}],
    "incidents": {"count": 2, "previous_count": 1,
                  "by_severity": [{"severity": 2, "label": "SEV2 · High", "count": 2}],
                  "by_category": [{"category": "product_defect", "label": "Product defect", "count": 2}],
                  "first_response": {"median_s": 5400, "p90_s": 12000, "measured": 2},
                  "resolve": {"median_s": 172800, "p90_s": 260000, "measured": 2},
                  "targets": [{"severity": 2, "label": "SEV2 · High", "first_response_target_s": 14400,
                               "resolve_target_s": 259200}],
                  "missed": [{"id": "6f1c…", "number": 12, "title": "Kopi basi", "severity": 2,
                              "severity_label": "SEV2 · High", "first_response_s": 16000, "resolve_s": None,
                              "first_response_target_s": 14400, "resolve_target_s": 259200,
                              "missed_first_response": True, "missed_resolve": False}]},
    "responses": {"sent": 42, "by_kind": [{"kind": "reply", "label": "Public reply", "count": 40}],
                  "approved": 10, "approval_median_s": 900, "approval_p90_s": 3000, "previous_sent": 20},
    "complaints": {"total": 320, "answered": 290, "unanswered": 30, "answered_within_target": 250,
                   "share_within_target": 0.7813, "target_minutes": 60,
                   "previous": {"total": 170, "answered": 160, "answered_within_target": 150,
                                "share_within_target": 0.8824}},
    "moderation": [{"rule": "1. Hormati sesama", "rule_number": 1, "guideline_version": 2, "action": "hide",
                    "action_label": "Hide", "count": 5, "reasons": ["Hinaan SARA"]}],
    "satisfaction": {"csat": 82.5, "nps": 31.0, "ces": 5.4, "responses": 40,
                     "previous": {"csat": 78.0, "nps": 20.0, "ces": 5.1, "responses": 25},
                     "by_incident": [{"id": "6f1c…", "title": "#12 Kopi basi", "csat": 70.0, "nps": 10.0,
                                      "ces": 4.8, "responses": 12}]},
    "content": {"published": 9, "by_kind": [{"kind": "testimonial", "label": "Testimonial", "count": 4}],
                "by_platform": [{"platform": "instagram", "count": 6}],
                "engagement": {"likes": 1500, "comments": 120, "shares": 60}, "previous_published": 7},
}  # fmt: skip


class ReportSummaryApi(BrandApiView):
    @extend_schema(
        tags=TAG,
        summary="The brand report's figures over a period, with the previous period",
        description="Mentions, sentiment, followers, incidents against the brand's per-severity targets, "
        "responses, complaints, moderation, satisfaction and content over the period, each compared "
        "with the previous period. Times are ISO 8601 in the brand's zone; drills are never counted. "
        "See docs/reports.md for how each figure is computed.",
        parameters=_PERIOD_PARAMETERS,
        responses={
            200: OpenApiResponse(
                ReportSummaryOut, examples=[OpenApiExample("Last 30 days", value=_SUMMARY_EXAMPLE)]
            ),
            400: _ERROR,
        },
    )
    def get(self, request):
        period = period_from(request, parameters(PeriodInput, request))
        summary = report_summary(
            start=period.start,
            end=period.end,
            key=period.key,
            label=period.label,
            previous_start=period.previous_start,
        )
        return Response(summary)


class TimeseriesInput(PeriodInput):
    metric = serializers.ChoiceField(choices=METRICS)
    interval = serializers.ChoiceField(choices=["hour", "day"], default="day")


class ReportTimeseriesApi(BrandApiView):
    @extend_schema(
        tags=TAG,
        summary="One report metric per hour or per day over a period",
        description="Counts come from the hourly rollups; days are cut at the brand's midnight. Hourly "
        f"points only for periods of at most {HOURLY_MAX_DAYS} days. Empty buckets are 0 for counts and "
        "null for shares and scores; followers carry the count per platform (carried forward).",
        parameters=[
            OpenApiParameter("metric", str, required=True, enum=list(METRICS)),
            OpenApiParameter("interval", str, enum=["hour", "day"], description="Default day."),
            *_PERIOD_PARAMETERS,
        ],
        responses={
            200: OpenApiResponse(
                ReportTimeseriesOut,
                examples=[
                    OpenApiExample(
                        "Negative mentions per day",
                        value={
                            "metric": "negative",
                            "interval": "day",
                            "timezone": "Asia/Jakarta",
                            "points": [{"at": "2026-11-30T00:00:00+07:00", "value": 12}],
                        },
                    )
                ],
            ),
            400: _ERROR,
        },
    )
    def get(self, request):
        data = parameters(TimeseriesInput, request)
        period = period_from(request, data)
        if data["interval"] == "hour" and period.days > HOURLY_MAX_DAYS:
            raise DomainError(
                f"Hourly points cover at most {HOURLY_MAX_DAYS} days.",
                field_errors={"interval": [f"Use day, or a period of at most {HOURLY_MAX_DAYS} days."]},
            )
        return Response(
            report_timeseries(
                metric=data["metric"], interval=data["interval"], start=period.start, end=period.end
            )
        )
