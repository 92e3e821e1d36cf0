"""The whole brand report as a PDF that reads like the report page: the brand's name and colour,
the period against the previous one, the key figures, every table, and vector charts (volume and
negative share over time, sentiment, incidents by severity, satisfaction). Rendered from the
summary contract (reports/selectors.py), in the reader's language, times in the brand's zone.

ReportLab (BSD, pure Python, pip wheels only: Pillow and charset-normalizer) is the library: its
platypus layout flows tables over pages with repeated headers, and its own charting package draws
the charts as PDF vectors, so the report needs no browser, no Cairo/Pango and no chart image step.
The text uses Bitstream Vera, which ReportLab ships, embedded as a subset (Unicode text, copyable
and searchable). Every text from the brand's data is escaped before it reaches ReportLab's
paragraph markup."""

import io
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reports import charts
from reports.periods import Period
from reports.schedule_periods import brand_zone
from reports.selectors import report_content_posts, report_summary
from tenants.platforms import platform_get

FONT, FONT_BOLD = "ReportSans", "ReportSans-Bold"
_FONTS = Path(reportlab.__file__).resolve().parent / "fonts"
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 16 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
INK, MUTED, LINE = colors.HexColor("#111827"), colors.HexColor("#6b7280"), colors.HexColor("#e5e7eb")


def register_fonts() -> None:
    """Register the embedded fonts (once) and hand them to the charts."""
    # Attribute validation of chart shapes is a development aid that costs a tenth of the render.
    rl_config.shapeChecking = 0
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(_FONTS / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(_FONTS / "VeraBd.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    charts.use_fonts(FONT, FONT_BOLD)


def report_pdf_render(
    *,
    summary: dict,
    brand,
    language: str,
    generated_at: datetime | None = None,
    posts: list[dict] | None = None,
) -> bytes:
    """The report of `summary` for `brand` as PDF bytes, in `language`, times in the brand's zone.
    `posts`: the period's published posts as `report_content_posts` gives them (the page's
    per-post table); None leaves that table out."""
    register_fonts()
    with translation.override(language):
        return _Report(
            summary=summary, brand=brand, generated_at=generated_at or timezone.now(), posts=posts
        ).build()


def report_pdf_for_period(*, brand, period: Period, language: str, now: datetime | None = None) -> bytes:
    """The PDF of `brand`'s report over `period` (in the current brand's schema), in `language`:
    the same selectors as the report page, so the two show the same figures."""
    with translation.override(language):
        summary = report_summary(
            start=period.start,
            end=period.end,
            key=period.key,
            label=period.label,
            previous_start=period.previous_start,
            now=now,
        )
        posts = report_content_posts(start=period.start, end=period.end)
    return report_pdf_render(summary=summary, brand=brand, language=language, generated_at=now, posts=posts)


def report_filename(*, brand, period: Period) -> str:
    """`<brand>-report-<first day>-<last day>.pdf` (the period's end is exclusive)."""
    start = period.start.date().isoformat()
    end = (period.end - timedelta(microseconds=1)).date().isoformat()
    return f"{slugify(brand.slug or brand.name)}-report-{start}-{end}.pdf"


# --- Formatting, in the active language -------------------------------------------------------


def table_style(colour) -> "TableStyle":
    """The reports' one table look: a brand-coloured header row and thin rules between rows."""
    return TableStyle(
        [
            ("BACKGROUND", (0, 0), (-1, 0), colour),
            ("LINEBELOW", (0, 1), (-1, -1), 0.4, LINE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
    )


def _num(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, int) or float(value).is_integer():  # counts may arrive as Decimals
        return number_format(int(value), use_l10n=True, force_grouping=True)
    return number_format(round(float(value), 1), 1, use_l10n=True, force_grouping=True)


def _fixed(value, places: int = 1) -> str:
    """Rounded, not cut (Django's number_format truncates floats to its decimal places)."""
    return number_format(round(float(value), places), places, use_l10n=True)


def _pct(share) -> str:
    """A share (0…1) as a percentage."""
    return "–" if share is None else f"{_fixed(100 * float(share))}%"


def _score(value, suffix: str = "") -> str:
    return "–" if value is None else f"{_fixed(value)}{suffix}"


def _duration(seconds) -> str:
    if seconds is None:
        return "–"
    minutes = round(seconds / 60)
    if minutes < 60:
        return _("%(m)d min") % {"m": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        if not minutes:
            return _("%(h)d h") % {"h": hours}
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    return _("%(d)d d %(h)d h") % {"d": hours // 24, "h": hours % 24}


def _change(now, before, *, share: bool = False) -> str:
    """How a figure moved against the previous period."""
    if now is None or before is None:
        return _("no previous figure")
    now, before = float(now), float(before)
    if share:
        points = 100 * (now - before)
        sign = "+" if points > 0 else ""
        return _("%(change)s pts vs previous") % {"change": f"{sign}{_fixed(points)}"}
    if not before:
        return _("previous: %(value)s") % {"value": _num(before)}
    percent = 100 * (now - before) / before
    sign = "+" if percent > 0 else ""
    return _("%(change)s vs previous") % {"change": f"{sign}{_fixed(percent, 0)}%"}


def brand_colour(value: str) -> colors.Color:
    """A brand's colour (headers, table heads); the platform's teal when it has none or a bad one."""
    try:
        return colors.HexColor(value or "#0f766e")
    except ValueError:
        return colors.HexColor("#0f766e")


def pdf_styles(colour) -> dict[str, ParagraphStyle]:
    """The paragraph styles of every PDF the reports app draws, headings in `colour`."""
    base = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, textColor=INK)
    return {
        "body": base,
        "muted": ParagraphStyle("muted", parent=base, textColor=MUTED, fontSize=8, leading=10),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=18, leading=22),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
            textColor=colour,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "head": ParagraphStyle(
            "head", parent=base, fontName=FONT_BOLD, fontSize=8, leading=10, textColor=colors.white
        ),
        "headnum": ParagraphStyle(
            "headnum",
            fontName=FONT_BOLD,
            fontSize=8,
            leading=10,
            textColor=colors.white,
            alignment=TA_RIGHT,
        ),
        "num": ParagraphStyle("num", parent=base, fontSize=8, leading=10, alignment=TA_RIGHT),
        "big": ParagraphStyle("big", parent=base, fontName=FONT_BOLD, fontSize=16, leading=19),
    }


def _platform(code: str) -> str:
    platform = platform_get(code or "")
    return str(platform.label) if platform else (code or "–")


class _Report:
    def __init__(self, *, summary: dict, brand, generated_at: datetime, posts: list[dict] | None = None):
        self.summary = summary
        self.posts = posts
        self.brand = brand
        self.zone = brand_zone(brand)
        self.generated_at = generated_at.astimezone(self.zone)
        self.colour = brand_colour(getattr(brand, "colour", ""))
        self.styles = pdf_styles(self.colour)

    # Times -------------------------------------------------------------------------------------
    def _at(self, iso: str | None) -> datetime | None:
        if not iso:
            return None
        value = datetime.fromisoformat(iso)
        if timezone.is_naive(value):
            value = timezone.make_aware(value, self.zone)
        return value.astimezone(self.zone)

    def _day(self, iso: str | None, *, end: bool = False) -> str:
        value = self._at(iso)
        if value is None:
            return "–"
        if end:  # the end is exclusive: the last day covered is the one before it
            value -= timedelta(microseconds=1)
        return date_format(value, "j M Y")

    def _axis_label(self, iso: str) -> str:
        value = self._at(iso)
        if self.summary.get("series", {}).get("interval") == "hour":
            return date_format(value, "j/n H:i") if value.hour == 0 else value.strftime("%H:%M")
        return date_format(value, "j/n")

    # Building blocks ---------------------------------------------------------------------------
    def _p(self, text: str, style: str = "body") -> Paragraph:
        return Paragraph(escape(str(text)), self.styles[style])

    def _table(
        self,
        header: list[str],
        rows: list[list],
        widths: list[float],
        numeric: set[int] = frozenset(),
        *,
        compact: bool = False,
    ):
        if not rows:
            return self._p(_("Nothing in this period."), "muted")
        data = [[self._p(h, "headnum" if i in numeric else "head") for i, h in enumerate(header)]]
        for row in rows:
            data.append([self._p(v, "num" if i in numeric else "cell") for i, v in enumerate(row)])
        table = Table(data, colWidths=[w * CONTENT_WIDTH for w in widths], repeatRows=1)
        table.setStyle(table_style(self.colour))
        if compact:  # many columns: half the side padding keeps each heading word on one line
            table.setStyle(
                TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3)])
            )
        return table

    def _section(self, title: str, *flowables) -> list:
        return [KeepTogether([self._p(title, "h2"), *flowables[:1]]), *flowables[1:]]

    # The page ----------------------------------------------------------------------------------
    def _decorate(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFillColor(self.colour)
        canvas.rect(0, PAGE_HEIGHT - 12 * mm, PAGE_WIDTH, 12 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(FONT_BOLD, 11)
        canvas.drawString(MARGIN, PAGE_HEIGHT - 8 * mm, self.brand.name)
        canvas.setFont(FONT, 9)
        canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 8 * mm, _("Client report"))
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 7.5)
        canvas.drawString(
            MARGIN,
            9 * mm,
            _("Generated %(at)s (%(zone)s). Drills are never counted.")
            % {"at": date_format(self.generated_at, "j M Y H:i"), "zone": self.zone.key},
        )
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 9 * mm, _("Page %(n)d") % {"n": doc.page})
        canvas.restoreState()

    def build(self) -> bytes:
        buffer = io.BytesIO()
        period = self.summary.get("period", {})
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=18 * mm,
            bottomMargin=16 * mm,
            title=_("%(brand)s · report · %(period)s")
            % {"brand": self.brand.name, "period": period.get("label", "")},
            author=self.brand.name,
            subject=_("Client report"),
            creator="Tanggap",
        )
        story = [
            *self._heading(period),
            *self._key_figures(),
            *self._mentions(),
            *self._incidents(),
            *self._responses(),
            *self._moderation(),
            *self._satisfaction(),
            *self._content(),
            *self._content_posts(),
        ]
        doc.build(story, onFirstPage=self._decorate, onLaterPages=self._decorate)
        return buffer.getvalue()

    def _heading(self, period: dict) -> list:
        span = f"{self._day(period.get('start'))} – {self._day(period.get('end'), end=True)}"
        label = period.get("label") or _("Custom period")
        previous = (
            f"{self._day(period.get('previous_start'))} – {self._day(period.get('previous_end'), end=True)}"
        )
        return [
            self._p(_("Report for %(brand)s") % {"brand": self.brand.name}, "title"),
            Spacer(1, 2),
            self._p(f"{label} · {span} ({self.zone.key})" if label != span else f"{span} ({self.zone.key})"),
            self._p(_("Compared with the previous period: %(span)s") % {"span": previous}, "muted"),
            Spacer(1, 8),
        ]

    def _key_figures(self) -> list:
        s = self.summary
        mentions, incidents = s.get("mentions", {}), s.get("incidents", {})
        complaints, satisfaction = s.get("complaints", {}), s.get("satisfaction", {})
        previous = mentions.get("previous", {})
        first = incidents.get("first_response", {})
        cards = [
            (
                _("Mentions"),
                _num(mentions.get("total")),
                _change(mentions.get("total"), previous.get("total")),
            ),
            (
                _("Negative share"),
                _pct(mentions.get("negative_share")),
                _change(mentions.get("negative_share"), previous.get("negative_share"), share=True),
            ),
            (
                _("Incidents"),
                _num(incidents.get("count")),
                _change(incidents.get("count"), incidents.get("previous_count")),
            ),
            (
                _("First response (median)"),
                _duration(first.get("median_s")),
                _("p90: %(value)s") % {"value": _duration(first.get("p90_s"))},
            ),
            (
                _("Complaints answered in time"),
                _pct(complaints.get("share_within_target")),
                _("%(answered)s of %(total)s answered")
                % {"answered": _num(complaints.get("answered")), "total": _num(complaints.get("total"))},
            ),
            (
                _("CSAT"),
                _score(satisfaction.get("csat"), "%"),
                _change(satisfaction.get("csat"), satisfaction.get("previous", {}).get("csat")),
            ),
        ]
        cells = [
            [self._p(label, "muted"), self._p(value, "big"), self._p(note, "muted")]
            for label, value, note in cards
        ]
        grid = [cells[0:3], cells[3:6]]
        table = Table(
            [
                [Table([[c] for c in card], colWidths=[CONTENT_WIDTH / 3 - 12]) for card in row]
                for row in grid
            ],
            colWidths=[CONTENT_WIDTH / 3] * 3,
        )
        table.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.6, LINE),
                    ("INNERGRID", (0, 0), (-1, -1), 0.6, LINE),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return [table, Spacer(1, 4)]

    def _mentions(self) -> list:
        s = self.summary
        points = s.get("series", {}).get("points", [])
        empty = _("No mentions in this period.")
        volume = charts.volume_chart(
            points,
            axis_label=self._axis_label,
            title=_("Mention volume by sentiment"),
            series_labels=(_("Negative"), _("Neutral"), _("Positive")),
            empty=empty,
            width=CONTENT_WIDTH,
        )
        share = charts.negative_share_chart(
            points,
            axis_label=self._axis_label,
            title=_("Negative share over time"),
            empty=empty,
            width=CONTENT_WIDTH,
        )
        platforms = self._table(
            [_("Platform"), _("Mentions"), _("Negative"), _("Negative share")],
            [
                [
                    _platform(r.get("platform")),
                    _num(r.get("total")),
                    _num(r.get("negative")),
                    _pct(r.get("negative_share")),
                ]
                for r in s.get("mentions", {}).get("by_platform", [])
            ],
            [0.4, 0.2, 0.2, 0.2],
            numeric={1, 2, 3},
        )
        followers = self._table(
            [_("Platform"), _("Followers at start"), _("Followers at end"), _("Change")],
            [
                [
                    _platform(r.get("platform")),
                    _num(r.get("start")),
                    _num(r.get("end")),
                    _num(r.get("change")),
                ]
                for r in s.get("followers", [])
            ],
            [0.4, 0.2, 0.2, 0.2],
            numeric={1, 2, 3},
        )
        return [
            *self._section(_("Mentions and sentiment"), volume, Spacer(1, 6), share),
            *self._section(_("By platform"), platforms),
            *self._section(_("Followers"), followers),
        ]

    def _incidents(self) -> list:
        incidents = self.summary.get("incidents", {})
        chart = charts.severity_chart(
            incidents.get("by_severity", []),
            title=_("Incidents by severity"),
            empty=_("No incidents in this period."),
            width=CONTENT_WIDTH,
        )
        categories = self._table(
            [_("Source category"), _("Incidents")],
            [
                [r.get("label") or r.get("category"), _num(r.get("count"))]
                for r in incidents.get("by_category", [])
            ],
            [0.7, 0.3],
            numeric={1},
        )
        first, resolve = incidents.get("first_response", {}), incidents.get("resolve", {})
        times = self._table(
            [_("Time"), _("Median"), _("90th percentile")],
            [
                [
                    _("To first public response"),
                    _duration(first.get("median_s")),
                    _duration(first.get("p90_s")),
                ],
                [_("To resolve"), _duration(resolve.get("median_s")), _duration(resolve.get("p90_s"))],
            ],
            [0.5, 0.25, 0.25],
            numeric={1, 2},
        )
        missed = self._table(
            [_("Incident"), _("Severity"), _("First response"), _("Target"), _("Resolved in"), _("Target")],
            [
                [
                    r.get("title"),
                    _num(r.get("severity")),
                    _duration(r.get("first_response_s")),
                    _duration(r.get("first_response_target_s")),
                    _duration(r.get("resolve_s")),
                    _duration(r.get("resolve_target_s")),
                ]
                for r in incidents.get("missed", [])
            ],
            [0.35, 0.1, 0.14, 0.13, 0.14, 0.14],
            numeric={1, 2, 3, 4, 5},
        )
        return [
            *self._section(
                _("Incidents"),
                chart,
                self._p(
                    ngettext(
                        "%(count)s incident (previous period: %(previous)s).",
                        "%(count)s incidents (previous period: %(previous)s).",
                        incidents.get("count") or 0,
                    )
                    % {
                        "count": _num(incidents.get("count")),
                        "previous": _num(incidents.get("previous_count")),
                    },
                    "muted",
                ),
            ),
            *self._section(_("By source category"), categories),
            *self._section(_("Response and resolution times"), times),
            *self._section(_("Incidents that missed their targets"), missed),
        ]

    def _responses(self) -> list:
        responses, complaints = self.summary.get("responses", {}), self.summary.get("complaints", {})
        target = complaints.get("target_minutes")
        rows = [
            [_("Responses sent"), _num(responses.get("sent"))],
            [_("Approval time (median)"), _duration(responses.get("approval_median_s"))],
            [_("Approval time (90th percentile)"), _duration(responses.get("approval_p90_s"))],
            [_("Complaints"), _num(complaints.get("total"))],
            [_("Answered"), _num(complaints.get("answered"))],
            [_("Unanswered"), _num(complaints.get("unanswered"))],
            [
                _("Answered within %(minutes)s minutes") % {"minutes": _num(target)}
                if target
                else _("Answered within target"),
                f"{_num(complaints.get('answered_within_target'))} ({_pct(complaints.get('share_within_target'))})",
            ],
        ]
        return self._section(
            _("Responses and complaints"),
            self._table([_("Figure"), _("Value")], rows, [0.7, 0.3], numeric={1}),
        )

    def _moderation(self) -> list:
        rows = [
            [
                r.get("rule"),
                r.get("action"),
                _num(r.get("count")),
                "; ".join(str(x) for x in r.get("reasons", [])[:5]),
            ]
            for r in self.summary.get("moderation", [])
        ]
        return self._section(
            _("Moderation by guideline rule"),
            self._table(
                [_("Rule"), _("Action"), _("Count"), _("Reasons")], rows, [0.28, 0.14, 0.1, 0.48], numeric={2}
            ),
        )

    def _satisfaction(self) -> list:
        sat = self.summary.get("satisfaction", {})
        before = sat.get("previous", {})
        chart = charts.satisfaction_chart(
            [
                (_("CSAT (%)"), sat.get("csat"), before.get("csat")),
                (_("NPS"), sat.get("nps"), before.get("nps")),
            ],
            title=_("Satisfaction"),
            series_labels=(_("This period"), _("Previous period")),
            empty=_("No survey answers in this period."),
            width=CONTENT_WIDTH,
        )
        scores = self._table(
            [_("Score"), _("This period"), _("Previous period")],
            [
                [_("CSAT"), _score(sat.get("csat"), "%"), _score(before.get("csat"), "%")],
                [_("NPS"), _score(sat.get("nps")), _score(before.get("nps"))],
                [_("CES"), _score(sat.get("ces")), _score(before.get("ces"))],
                [_("Survey answers"), _num(sat.get("responses")), _num(before.get("responses"))],
            ],
            [0.4, 0.3, 0.3],
            numeric={1, 2},
        )
        per_incident = self._table(
            [_("Incident"), _("CSAT"), _("NPS"), _("CES"), _("Answers")],
            [
                [
                    r.get("title"),
                    _score(r.get("csat"), "%"),
                    _score(r.get("nps")),
                    _score(r.get("ces")),
                    _num(r.get("responses")),
                ]
                for r in sat.get("by_incident", [])
            ],
            [0.44, 0.14, 0.14, 0.14, 0.14],
            numeric={1, 2, 3, 4},
        )
        return [
            *self._section(_("Customer satisfaction"), chart, Spacer(1, 4), scores),
            *self._section(_("Satisfaction per incident"), per_incident),
        ]

    def _content(self) -> list:
        content = self.summary.get("content", {})
        engagement = content.get("engagement") or {}
        rows = [[r.get("label") or r.get("kind"), _num(r.get("count"))] for r in content.get("by_kind", [])]
        rows += [[_platform(r.get("platform")), _num(r.get("count"))] for r in content.get("by_platform", [])]
        return self._section(
            _("Positive content"),
            self._p(
                _("%(published)s published · %(likes)s likes · %(comments)s comments · %(shares)s shares")
                % {
                    "published": _num(content.get("published")),
                    "likes": _num(engagement.get("likes", 0)),
                    "comments": _num(engagement.get("comments", 0)),
                    "shares": _num(engagement.get("shares", 0)),
                }
            ),
            Spacer(1, 3),
            self._table([_("Kind or platform"), _("Published")], rows, [0.7, 0.3], numeric={1}),
        )

    def _content_posts(self) -> list:
        """The page's "how each post did" table: each published post's reach, engagement and the
        sentiment of the replies to it, published times in the brand's zone."""
        if self.posts is None:
            return []
        rows = [
            [
                date_format(post["published_at"].astimezone(self.zone), "j M Y H:i")
                if post.get("published_at")
                else "–",
                str(post.get("platform") or "–"),
                f"{post.get('title') or ''} · {post.get('kind') or ''}",
                _num(post.get("reach")),
                _num(post.get("engagement")),
                _num(post.get("replies")),
                _num(post.get("positive")),
                _num(post.get("negative")),
                "–" if post.get("mean_sentiment") is None else _fixed(post["mean_sentiment"], 2),
            ]
            for post in self.posts
        ]
        return self._section(
            _("Positive content: how each post did"),
            self._p(
                _(
                    "Reach and engagement (likes, comments, shares and clicks) as last reported for each "
                    "post; replies are the comments on the post found in the mentions stream, with their "
                    "sentiment from −1 (negative) to +1 (positive)."
                ),
                "muted",
            ),
            Spacer(1, 3),
            self._table(
                [
                    _("Published"),
                    _("Platform"),
                    _("Post"),
                    _("Reach"),
                    _("Engagement"),
                    _("Replies"),
                    _("Positive"),
                    _("Negative"),
                    _("Mean reply sentiment"),
                ],
                rows,
                [0.115, 0.1, 0.17, 0.12, 0.125, 0.085, 0.085, 0.095, 0.105],
                numeric={3, 4, 5, 6, 7, 8},
                compact=True,
            ),
        )
