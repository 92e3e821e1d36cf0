"""The report's charts for the PDF, drawn server-side as vectors by ReportLab's own charting package
(reportlab.graphics.charts): no browser, no image library, no system library. Each function takes
figures of the summary contract (reports/selectors.py) and returns a Drawing, a flowable the PDF
places like a paragraph; where there is nothing to draw it says so inside the chart's frame.
Labels arrive already translated and formatted by the caller (reports/pdf.py)."""

from collections.abc import Callable, Sequence

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors

NEGATIVE = colors.HexColor("#dc2626")
NEUTRAL = colors.HexColor("#9ca3af")
POSITIVE = colors.HexColor("#16a34a")
PREVIOUS = colors.HexColor("#cbd5e1")
GRID = colors.HexColor("#e5e7eb")
INK = colors.HexColor("#111827")
MUTED = colors.HexColor("#6b7280")
# SEV1 (critical) to SEV4 (low): the worst darkest, as on the dashboard and the war room.
SEVERITY = [colors.HexColor(c) for c in ("#b91c1c", "#ea580c", "#f59e0b", "#fde68a")]
# At most this many category labels under a time axis; the others are left blank.
MAX_AXIS_LABELS = 10

FONT = "Helvetica"
FONT_BOLD = "Helvetica-Bold"


def use_fonts(regular: str, bold: str) -> None:
    """The fonts the charts draw in (registered by the PDF module)."""
    global FONT, FONT_BOLD
    FONT, FONT_BOLD = regular, bold


def _n(value) -> float:
    """A figure as a float (the summary may carry Decimals from the database); None as 0."""
    return float(value) if value is not None else 0.0


def _frame(width: float, height: float, title: str) -> Drawing:
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 11, title, fontName=FONT_BOLD, fontSize=10, fillColor=INK))
    return drawing


def _empty(drawing: Drawing, message: str) -> Drawing:
    width, height = drawing.width, drawing.height
    drawing.add(Rect(0, 0, width, height - 18, strokeColor=GRID, fillColor=None, strokeWidth=0.8))
    drawing.add(
        String(
            width / 2,
            (height - 18) / 2,
            message,
            fontName=FONT,
            fontSize=9,
            fillColor=MUTED,
            textAnchor="middle",
        )
    )
    return drawing


def _thin(labels: Sequence[str]) -> list[str]:
    step = max(1, -(-len(labels) // MAX_AXIS_LABELS))
    return [label if i % step == 0 else "" for i, label in enumerate(labels)]


def _axis_fonts(chart) -> None:
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = FONT
        axis.labels.fontSize = 7
        axis.labels.fillColor = MUTED
        axis.strokeColor = GRID
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = GRID
    chart.valueAxis.gridStrokeWidth = 0.5


def _legend(drawing: Drawing, items: list[tuple], *, x: float, y: float) -> None:
    legend = Legend()
    legend.x, legend.y = x, y
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 70
    legend.fontName, legend.fontSize, legend.fillColor = FONT, 8, INK
    legend.dx = legend.dy = 7
    legend.colorNamePairs = items
    drawing.add(legend)


def volume_chart(
    points: Sequence[dict],
    *,
    axis_label: Callable[[str], str],
    title: str,
    series_labels: tuple[str, str, str],
    empty: str,
    width: float,
    height: float = 190,
) -> Drawing:
    """Mentions per point, stacked by sentiment (negative, neutral, positive)."""
    drawing = _frame(width, height, title)
    if not points or not any(p.get("total") for p in points):
        return _empty(drawing, empty)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 34, 30, width - 44, height - 70
    chart.data = [
        [_n(p.get("negative")) for p in points],
        [_n(p.get("neutral")) for p in points],
        [_n(p.get("positive")) for p in points],
    ]
    chart.categoryAxis.style = "stacked"
    if max(map(sum, zip(*chart.data, strict=True))) <= 5:
        chart.valueAxis.valueStep = 1  # small counts: whole mentions, not 0.5 steps
    chart.categoryAxis.categoryNames = _thin([axis_label(p["at"]) for p in points])
    chart.valueAxis.valueMin = 0
    chart.barSpacing = 0.5
    chart.groupSpacing = 1.5
    for index, colour in enumerate((NEGATIVE, NEUTRAL, POSITIVE)):
        chart.bars[index].fillColor = colour
        chart.bars[index].strokeColor = None
    _axis_fonts(chart)
    drawing.add(chart)
    _legend(
        drawing, list(zip((NEGATIVE, NEUTRAL, POSITIVE), series_labels, strict=True)), x=40, y=height - 24
    )
    return drawing


def negative_share_chart(
    points: Sequence[dict],
    *,
    axis_label: Callable[[str], str],
    title: str,
    empty: str,
    width: float,
    height: float = 150,
) -> Drawing:
    """The share of negative mentions per point, in percent (no point where nothing was said)."""
    drawing = _frame(width, height, title)
    shares = [
        round(100.0 * _n(p.get("negative")) / _n(p["total"]), 1) if p.get("total") else None for p in points
    ]
    if not any(share is not None for share in shares):
        return _empty(drawing, empty)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 34, 26, width - 44, height - 50
    chart.data = [shares]
    chart.joinedLines = 1
    chart.lines[0].strokeColor = NEGATIVE
    chart.lines[0].strokeWidth = 1.6
    chart.categoryAxis.categoryNames = _thin([axis_label(p["at"]) for p in points])
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(
        10, min(100, (int(max(s for s in shares if s is not None)) // 10 + 1) * 10)
    )
    chart.valueAxis.labelTextFormat = "%d%%"
    _axis_fonts(chart)
    drawing.add(chart)
    return drawing


def severity_chart(
    by_severity: Sequence[dict], *, title: str, empty: str, width: float, height: float = 150
) -> Drawing:
    """Incidents per severity, one bar each, SEV1 first and darkest."""
    drawing = _frame(width, height, title)
    rows = sorted(by_severity, key=lambda r: r.get("severity") or 0)
    if not rows or not any(r.get("count") for r in rows):
        return _empty(drawing, empty)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 30, 26, width - 40, height - 50
    chart.data = [[_n(r.get("count")) for r in rows]]
    chart.categoryAxis.categoryNames = [str(r.get("label") or r.get("severity")) for r in rows]
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueStep = max(1, -(-int(max(chart.data[0])) // 5))
    chart.bars[0].strokeColor = None
    for index, row in enumerate(rows):
        level = min(max(int(row.get("severity") or 1), 1), len(SEVERITY)) - 1
        chart.bars[(0, index)].fillColor = SEVERITY[level]
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName, chart.barLabels.fontSize, chart.barLabels.nudge = FONT, 8, 6
    _axis_fonts(chart)
    drawing.add(chart)
    return drawing


def satisfaction_chart(
    bars: Sequence[tuple[str, float | None, float | None]],
    *,
    title: str,
    series_labels: tuple[str, str],
    empty: str,
    width: float,
    height: float = 160,
) -> Drawing:
    """(label, this period, previous period) per score, on one -100…100 scale (CSAT %, NPS)."""
    drawing = _frame(width, height, title)
    if not bars or all(now is None and before is None for _l, now, before in bars):
        return _empty(drawing, empty)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 34, 26, width - 44, height - 64
    chart.data = [[_n(now) for _l, now, _b in bars], [_n(before) for _l, _now, before in bars]]
    chart.categoryAxis.categoryNames = [label for label, _now, _b in bars]
    low = min(min(row) for row in chart.data)
    chart.valueAxis.valueMin = -100 if low < 0 else 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 50 if low < 0 else 25
    chart.categoryAxis.labelAxisMode = "low"
    chart.bars[0].fillColor, chart.bars[1].fillColor = POSITIVE, PREVIOUS
    chart.bars[0].strokeColor = chart.bars[1].strokeColor = None
    chart.barLabelFormat = "%.0f"
    chart.barLabels.fontName, chart.barLabels.fontSize, chart.barLabels.nudge = FONT, 8, 6
    _axis_fonts(chart)
    drawing.add(chart)
    _legend(drawing, list(zip((POSITIVE, PREVIOUS), series_labels, strict=True)), x=40, y=height - 24)
    return drawing


def windows_chart(
    windows: Sequence[dict],
    *,
    title: str,
    volume_title: str,
    share_title: str,
    empty: str,
    width: float,
    height: float = 170,
) -> Drawing:
    """A crisis's negative mentions before, during and after it: their count (left) and their share
    of all mentions (right), one bar per window. `windows` are incidents.selectors_reviews'
    review_windows (label, negative, share 0…1)."""
    drawing = _frame(width, height, title)
    if not windows or all(w.get("negative") is None for w in windows):
        return _empty(drawing, empty)
    labels = [str(w["label"]) for w in windows]
    half = (width - 20) / 2
    panels = (
        (volume_title, [_n(w.get("negative")) for w in windows], "%d", 0),
        (share_title, [round(100 * _n(w.get("share")), 1) for w in windows], "%.1f%%", half + 20),
    )
    for panel_title, values, label_format, x in panels:
        drawing.add(String(x, height - 28, panel_title, fontName=FONT, fontSize=8, fillColor=MUTED))
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = x + 28, 22, half - 36, height - 66
        chart.data = [values]
        chart.categoryAxis.categoryNames = labels
        chart.valueAxis.valueMin = 0
        if label_format == "%d":
            chart.valueAxis.valueStep = max(1, -(-int(max(values) or 1) // 4))
        else:
            chart.valueAxis.valueMax = max(10, min(100, (int(max(values)) // 10 + 1) * 10))
            chart.valueAxis.labelTextFormat = "%d%%"
        chart.bars[0].fillColor, chart.bars[0].strokeColor = NEGATIVE, None
        chart.barLabelFormat = label_format
        chart.barLabels.fontName, chart.barLabels.fontSize, chart.barLabels.nudge = FONT, 8, 6
        _axis_fonts(chart)
        drawing.add(chart)
    return drawing
