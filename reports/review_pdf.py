"""One post-crisis review as a PDF: the document of reports/review_export.py (staff or client, already
in the reader's words and the brand's zone) laid out with the report PDF's fonts, styles and
tables, and the before/during/after chart drawn as vectors. Every text from people is escaped
before it reaches ReportLab's paragraph markup. Imported only by the view that renders it, so
ReportLab loads in the process that draws a PDF."""

import io
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from reports import charts
from reports.pdf import (
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    LINE,
    MARGIN,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    brand_colour,
    pdf_styles,
    register_fonts,
    table_style,
)
from reports.review_export import ReviewDocument, review_window_rows


def review_pdf_render(document: ReviewDocument) -> bytes:
    """The review as PDF bytes (render inside the reader's language and zone, as the document was)."""
    register_fonts()
    return _ReviewPdf(document).build()


class _ReviewPdf:
    def __init__(self, document: ReviewDocument):
        self.d = document
        self.colour = brand_colour(document.brand_colour)
        self.styles = pdf_styles(self.colour)

    def _p(self, text, style: str = "body") -> Paragraph:
        # The embedded font has no arrow; status changes on the timeline read "A → B".
        return Paragraph(escape(str(text).replace("→", "->")), self.styles[style])

    def _table(self, header: list[str], rows: list[list], widths: list[float]):
        data = [[self._p(h, "head") for h in header]]
        data += [[self._p(v, "cell") for v in row] for row in rows]
        table = Table(data, colWidths=[w * CONTENT_WIDTH for w in widths], repeatRows=1)
        table.setStyle(table_style(self.colour))
        return table

    def _pairs(self, rows: list[tuple[str, str]]):
        table = Table(
            [[self._p(label, "muted"), self._p(value)] for label, value in rows],
            colWidths=[0.3 * CONTENT_WIDTH, 0.7 * CONTENT_WIDTH],
        )
        table.setStyle(
            TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE)])
        )
        return table

    def _section(self, title: str, *flowables) -> list:
        return [KeepTogether([self._p(title, "h2"), *flowables[:1]]), *flowables[1:]]

    def _decorate(self, canvas, doc) -> None:
        canvas.saveState()
        canvas.setFillColor(self.colour)
        canvas.rect(0, PAGE_HEIGHT - 12 * mm, PAGE_WIDTH, 12 * mm, stroke=0, fill=1)
        canvas.setFillColorRGB(1, 1, 1)
        canvas.setFont(FONT_BOLD, 11)
        canvas.drawString(MARGIN, PAGE_HEIGHT - 8 * mm, self.d.brand_name)
        canvas.setFont(FONT, 9)
        corner = _("Post-crisis review · staff copy") if self.d.for_staff else _("Post-crisis review")
        canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 8 * mm, corner)
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 7.5)
        canvas.drawString(
            MARGIN,
            9 * mm,
            _("Generated %(at)s. Drills are never shown to the client.") % {"at": self.d.generated},
        )
        canvas.drawRightString(PAGE_WIDTH - MARGIN, 9 * mm, _("Page %(n)d") % {"n": doc.page})
        canvas.restoreState()

    def build(self) -> bytes:
        d = self.d
        buffer = io.BytesIO()
        title = f"{_('Post-crisis review')}: {d.number} {d.title}"
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=18 * mm,
            bottomMargin=16 * mm,
            title=title,
            author=d.brand_name,
            subject=_("Post-crisis review"),
            creator="Tanggap",
        )
        story = [
            self._p(title + (f" {_('[DRILL]')}" if d.is_drill else ""), "title"),
            Spacer(1, 2),
            self._p(_("Times in %(zone)s") % {"zone": d.zone}, "muted"),
        ]
        if d.for_staff:
            story.append(self._p(_("Staff copy with internal notes: do not send it to the client."), "muted"))
        story += [Spacer(1, 6), self._pairs(d.facts)]
        if d.summary.strip():
            story += self._section(_("Summary"), *[self._p(p) for p in d.summary.split("\n\n") if p.strip()])
        if d.for_staff and d.steps:
            story += self._section(
                _("Steps"),
                self._table(
                    [_("Step"), _("State"), _("Reason"), _("When")],
                    [[s["label"], s["state"], s["reason"], s["at"]] for s in d.steps],
                    [0.3, 0.15, 0.35, 0.2],
                ),
            )
        if d.for_staff:
            figures = self._table(
                [_("Figure"), _("Value"), _("How it was computed")],
                [list(r) for r in d.figures],
                [0.28, 0.22, 0.5],
            )
        else:
            figures = self._table([_("Figure"), _("Value")], [[f[0], f[1]] for f in d.figures], [0.6, 0.4])
        story += self._section(_("Figures"), figures)
        chart = charts.windows_chart(
            d.windows,
            title=_("Negative mentions before, during and after the crisis"),
            volume_title=_("Negative mentions"),
            share_title=_("Share of negative mentions"),
            empty=_("The figures are not computed yet."),
            width=CONTENT_WIDTH,
        )
        windows = self._table(
            [_("Window"), _("Negative mentions"), _("Share of negative mentions")],
            review_window_rows(d),
            [0.4, 0.3, 0.3],
        )
        story += [Spacer(1, 8), chart, Spacer(1, 4), windows]
        story += self._section(
            _("Timeline") if d.for_staff else _("Timeline (pinned for the client)"),
            self._table(
                [_("When"), _("Who"), _("What")],
                [
                    [
                        e["at"],
                        e["who"],
                        (
                            f"{e['kind']}{' · ' + _('pinned for the client') if e['pinned'] else ''}: "
                            if d.for_staff
                            else ""
                        )
                        + e["text"],
                    ]
                    for e in d.timeline
                ],
                [0.2, 0.2, 0.6],
            )
            if d.timeline
            else self._p(_("No updates yet."), "muted"),
        )
        if d.for_staff:
            story += self._section(_("Team feedback"), self._pairs(d.feedback))
        lessons = [
            [
                lesson["text"],
                ", ".join(
                    [
                        _("accepted for the plan") if lesson["accepted"] else _("not in the plan"),
                        _("shown to the client") if lesson["visible"] else _("internal"),
                    ]
                ),
            ]
            if d.for_staff
            else [lesson["text"]]
            for lesson in d.lessons
        ]
        story += self._section(
            _("Lessons learned"),
            self._table(
                [_("Lesson"), _("Notes")] if d.for_staff else [_("Lesson")],
                lessons,
                [0.7, 0.3] if d.for_staff else [1.0],
            )
            if lessons
            else self._p(_("None."), "muted"),
        )
        if not d.follow_ups:
            follow_ups = self._p(_("None."), "muted")
        elif d.for_staff:
            follow_ups = self._table(
                [_("Follow-up"), _("Owner"), _("Due"), _("Status"), _("Reason"), _("Shown to the client")],
                [
                    [
                        i["title"],
                        i["owner"],
                        i["due"],
                        i["status"],
                        i["reason"],
                        _("yes") if i["visible"] else _("no"),
                    ]
                    for i in d.follow_ups
                ],
                [0.28, 0.15, 0.13, 0.13, 0.19, 0.12],
            )
        else:
            follow_ups = self._table(
                [_("Follow-up"), _("Due"), _("Status")],
                [[i["title"], i["due"], i["status"]] for i in d.follow_ups],
                [0.6, 0.2, 0.2],
            )
        story += self._section(_("Follow-ups"), follow_ups)
        if d.for_staff:
            story += self._section(_("Internal"), self._pairs(d.internal))
        story += self._section(_("Sign-off"), self._pairs(d.sign_off))
        doc.build(story, onFirstPage=self._decorate, onLaterPages=self._decorate)
        return buffer.getvalue()
