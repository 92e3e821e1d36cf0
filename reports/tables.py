"""The report's tables: the same rows back each chart on the page (its accessible table) and each
CSV export, so the page, the CSV and the API never disagree. Cells hold raw values (counts, shares
0–1, durations in seconds, aware datetimes); `display` formats one for the page, `csv_value` for
a spreadsheet (times in the brand's zone, durations in minutes, shares in percent)."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tenants.platforms import platform_get


@dataclass
class Column:
    title: str
    kind: str = "int"  # int | share | duration | score | text | day | hour


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    chart: dict | None = (
        None  # {"type": "bar"|"line", "stacked": bool, "label_column": 0, "series": [column indexes]}
    )


# The exports a reader may ask for, in page order (/reports/export/<key>.csv).
TABLE_KEYS = (
    "overview",
    "mentions",
    "platforms",
    "followers",
    "incidents_severity",
    "incidents_category",
    "incidents_missed",
    "responses",
    "moderation",
    "satisfaction",
    "content",
)
TABLE_TITLES = {
    "overview": gettext_lazy("Figures compared with the previous period"),
    "mentions": gettext_lazy("Mentions over time"),
    "platforms": gettext_lazy("Mentions by platform"),
    "followers": gettext_lazy("Followers per platform"),
    "incidents_severity": gettext_lazy("Incidents by severity"),
    "incidents_category": gettext_lazy("Incidents by source"),
    "incidents_missed": gettext_lazy("Incidents that missed a target"),
    "responses": gettext_lazy("Responses sent"),
    "moderation": gettext_lazy("Moderation by guideline rule"),
    "satisfaction": gettext_lazy("Satisfaction per incident"),
    "content": gettext_lazy("Positive content published"),
}


def platform_label(code: str) -> str:
    platform = platform_get(code)
    return str(platform.label) if platform else code


def duration(seconds) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(d).1f days") % {"d": seconds / 86400}


def display(value, kind: str, tz: str) -> str:
    if value is None:
        return "—"
    if kind == "share":
        return f"{formats.number_format(value * 100, 1)}%"
    if kind == "duration":
        return duration(value)
    if kind == "score":
        return formats.number_format(value, 1)
    if kind in ("day", "hour") and isinstance(value, datetime):
        local = value.astimezone(zoneinfo.ZoneInfo(tz))
        return formats.date_format(local, "j M" if kind == "day" else "j M H:i")
    if kind == "int":
        return formats.number_format(value, force_grouping=True)
    return str(value)


def csv_value(value, kind: str, tz: str):
    if value is None:
        return ""
    if kind == "share":
        return round(value * 100, 2)
    if kind == "duration":
        return round(value / 60, 1)
    if kind in ("day", "hour") and isinstance(value, datetime):
        local = value.astimezone(zoneinfo.ZoneInfo(tz))
        return local.date().isoformat() if kind == "day" else local.isoformat(timespec="minutes")
    return value


def _dt(iso: str) -> datetime:
    return datetime.fromisoformat(iso)


def report_tables(summary: dict, *, followers_series: list[dict] | None = None, mention_points=None) -> dict:
    """{key: Table} for the summary (see reports.selectors); `mention_points` replaces the daily
    series (the hourly drill-down), `followers_series` is report_timeseries("followers") points."""
    m, inc, resp, comp, sat, content = (
        summary["mentions"], summary["incidents"], summary["responses"], summary["complaints"],
        summary["satisfaction"], summary["content"],
    )  # fmt: skip
    t: dict[str, Table] = {}

    t["overview"] = Table(
        "overview",
        str(TABLE_TITLES["overview"]),
        [Column(_("Figure"), "text"), Column(_("This period"), "text"), Column(_("Previous period"), "text")],
    )
    overview = [
        (_("Mentions"), m["total"], m["previous"]["total"], "int"),
        (_("Negative share"), m["negative_share"], m["previous"]["negative_share"], "share"),
        (_("Complaints"), comp["total"], comp["previous"]["total"], "int"),
        (_("Complaints answered"), comp["answered"], comp["previous"]["answered"], "int"),
        (
            _("Complaints answered within %(m)d minutes") % {"m": comp["target_minutes"]},
            comp["share_within_target"],
            comp["previous"]["share_within_target"],
            "share",
        ),
        (_("Incidents"), inc["count"], inc["previous_count"], "int"),
        (_("Responses sent"), resp["sent"], resp["previous_sent"], "int"),
        (_("CSAT (share satisfied)"), sat["csat"], sat["previous"]["csat"], "score"),
        (_("NPS"), sat["nps"], sat["previous"]["nps"], "score"),
        (_("CES (1–7)"), sat["ces"], sat["previous"]["ces"], "score"),
        (_("Survey responses"), sat["responses"], sat["previous"]["responses"], "int"),
        (_("Content published"), content["published"], content["previous_published"], "int"),
    ]
    t["overview"].rows = [[label, (now, kind), (before, kind)] for label, now, before, kind in overview]

    interval = "day"
    points = mention_points
    if points is None:
        points = summary["series"]["points"]
        interval = summary["series"]["interval"]
    else:
        interval = "hour"
    t["mentions"] = Table(
        "mentions",
        str(TABLE_TITLES["mentions"]),
        [
            Column(_("Day") if interval == "day" else _("Hour"), interval),
            Column(_("Mentions")),
            Column(_("Negative")),
            Column(_("Neutral")),
            Column(_("Positive")),
            Column(_("Complaints")),
            Column(_("Answered")),
            Column(_("Negative share"), "share"),
        ],
        [
            [
                _dt(p["at"]) if isinstance(p["at"], str) else p["at"],
                p["total"],
                p["negative"],
                p["neutral"],
                p["positive"],
                p["complaints"],
                p["answered"],
                p["negative_share"],
            ]
            for p in points
        ],  # fmt: skip
        chart={"type": "bar", "stacked": True, "series": [2, 3, 4], "line": 7},
    )
    t["platforms"] = Table(
        "platforms",
        str(TABLE_TITLES["platforms"]),
        [
            Column(_("Platform"), "text"),
            Column(_("Mentions")),
            Column(_("Negative")),
            Column(_("Neutral")),
            Column(_("Positive")),
            Column(_("Negative share"), "share"),
        ],  # fmt: skip
        [
            [
                platform_label(r["platform"]),
                r["total"],
                r["negative"],
                r["neutral"],
                r["positive"],
                r["negative_share"],
            ]
            for r in m["by_platform"]
        ],
        chart={"type": "bar", "stacked": True, "series": [2, 3, 4], "horizontal": True},
    )
    platforms = sorted({p for point in followers_series or [] for p in point.get("by_platform") or {}})
    t["followers"] = Table(
        "followers",
        str(TABLE_TITLES["followers"]),
        [Column(_("Day"), "day"), *[Column(platform_label(p)) for p in platforms]],
        [
            [_dt(point["at"]), *[(point.get("by_platform") or {}).get(p) for p in platforms]]
            for point in followers_series or []
        ],
        chart={"type": "line", "series": list(range(1, len(platforms) + 1))} if platforms else None,
    )
    t["incidents_severity"] = Table(
        "incidents_severity",
        str(TABLE_TITLES["incidents_severity"]),
        [
            Column(_("Severity"), "text"),
            Column(_("Incidents")),
            Column(_("First response target"), "duration"),
            Column(_("Resolve target"), "duration"),
        ],  # fmt: skip
        [
            [row["label"], row["count"], target["first_response_target_s"], target["resolve_target_s"]]
            for row, target in zip(inc["by_severity"], inc["targets"], strict=True)
        ],
        chart={"type": "bar", "series": [1]},
    )
    t["incidents_category"] = Table(
        "incidents_category",
        str(TABLE_TITLES["incidents_category"]),
        [Column(_("Source"), "text"), Column(_("Incidents"))],
        [[row["label"], row["count"]] for row in inc["by_category"]],
        chart={"type": "bar", "series": [1], "horizontal": True} if inc["by_category"] else None,
    )
    t["incidents_missed"] = Table(
        "incidents_missed",
        str(TABLE_TITLES["incidents_missed"]),
        [
            Column("#", "text"),
            Column(_("Incident"), "text"),
            Column(_("Severity"), "text"),
            Column(_("First response"), "duration"),
            Column(_("Target"), "duration"),
            Column(_("Resolved after"), "duration"),
            Column(_("Target"), "duration"),
        ],  # fmt: skip
        [
            [
                str(r["number"]),
                r["title"],
                r["severity_label"],
                r["first_response_s"],
                r["first_response_target_s"],
                r["resolve_s"],
                r["resolve_target_s"],
            ]
            for r in inc["missed"]
        ],  # fmt: skip
    )
    t["responses"] = Table(
        "responses",
        str(TABLE_TITLES["responses"]),
        [Column(_("Kind"), "text"), Column(_("Sent"))],
        [[row["label"], row["count"]] for row in resp["by_kind"]],
    )
    t["moderation"] = Table(
        "moderation",
        str(TABLE_TITLES["moderation"]),
        [
            Column(_("Guideline rule"), "text"),
            Column(_("Action"), "text"),
            Column(_("Count")),
            Column(_("Reasons given"), "text"),
        ],  # fmt: skip
        [
            [row["rule"], row["action_label"], row["count"], "; ".join(row["reasons"])]
            for row in summary["moderation"]
        ],
    )
    t["satisfaction"] = Table(
        "satisfaction",
        str(TABLE_TITLES["satisfaction"]),
        [
            Column(_("Incident"), "text"),
            Column(_("CSAT (share satisfied)"), "score"),
            Column(_("NPS"), "score"),
            Column(_("CES (1–7)"), "score"),
            Column(_("Responses")),
        ],  # fmt: skip
        [[row["title"], row["csat"], row["nps"], row["ces"], row["responses"]] for row in sat["by_incident"]],
    )
    t["content"] = Table(
        "content",
        str(TABLE_TITLES["content"]),
        [Column(_("Kind or platform"), "text"), Column(_("Published"))],
        [[row["label"], row["count"]] for row in content["by_kind"]]
        + [[platform_label(row["platform"]), row["count"]] for row in content["by_platform"]],
    )
    return t


def table_cells(table: Table, tz: str, *, for_csv: bool = False) -> list[list]:
    """The table's rows with each cell formatted for the page, or valued for a CSV."""
    out = []
    for row in table.rows:
        cells = []
        for value, column in zip(row, table.columns, strict=True):
            kind = column.kind
            if isinstance(value, tuple):  # the overview's (value, kind) pairs
                value, kind = value
            cells.append(csv_value(value, kind, tz) if for_csv else display(value, kind, tz))
        out.append(cells)
    return out


def chart_data(table: Table, tz: str) -> dict | None:
    """What static/reports/report.js draws: labels, and one dataset per series column (raw values)."""
    if not table.chart or not table.rows:
        return None
    label_kind = table.columns[0].kind
    labels = [display(row[0], label_kind, tz) for row in table.rows]
    datasets = [
        {"label": table.columns[i].title, "data": [row[i] for row in table.rows]}
        for i in table.chart["series"]
    ]
    line = table.chart.get("line")
    if line is not None:
        datasets.append(
            {
                "label": table.columns[line].title,
                "data": [None if row[line] is None else round(row[line] * 100, 1) for row in table.rows],
                "type": "line",
                "yAxisID": "share",
            }
        )
    return {
        "type": table.chart["type"],
        "stacked": table.chart.get("stacked", False),
        "horizontal": table.chart.get("horizontal", False),
        "labels": labels,
        "datasets": datasets,
    }
