"""One post-crisis review as a document to download, for one of two readers, and its Markdown.

Staff get everything: the steps with their states and skip reasons, every figure with the line that
says how it was computed, the whole timeline, the team feedback in numbers, every lesson and
follow-up, the sign-off. The client gets what the client's report page shows, read through the very
selectors that page uses (`incident_get(for_client=True)`, `review_for_incident(for_client=True)`,
`review_client_figures`, `timeline_list(pinned_only=True)`), so an export can never show the client
more than the page does: no drills, no open reviews, no internal notes, only pinned timeline entries
and the lessons and follow-ups marked for them.

Build and render inside `tenants.localization.reader_context` (or a request): words in the active
language, times in the brand's zone. The PDF of the same document is reports/review_pdf.py."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from incidents import selectors_crisis as crisis_selectors
from incidents import selectors_reviews as review_selectors
from incidents.models import REVIEW_STEPS, Review
from reports.tables import duration
from tenants.localization import local_format, zone_label

STAFF, CLIENT = "staff", "client"
TIME = "j M Y H:i"
DAY = "j M Y"


@dataclass
class ReviewDocument:
    """What an export says, already in words: every value is a display string."""

    audience: str
    brand_name: str
    brand_slug: str
    brand_colour: str
    number: str  # "#12", or "D-3" for a drill (its own sequence)
    title: str
    is_drill: bool
    facts: list[tuple[str, str]]
    summary: str
    figures: list[tuple[str, str, str]]  # (figure, value, how it was computed: staff only)
    windows: list[dict]  # incidents.selectors_reviews.review_windows
    timeline: list[dict]
    lessons: list[dict]
    follow_ups: list[dict]
    sign_off: list[tuple[str, str]]
    zone: str
    generated: str
    generated_day: str
    steps: list[dict] = field(default_factory=list)
    feedback: list[tuple[str, str]] = field(default_factory=list)
    internal: list[tuple[str, str]] = field(default_factory=list)

    @property
    def for_staff(self) -> bool:
        return self.audience == STAFF


# --- Reading ------------------------------------------------------------------------------------


def review_document_for_staff(*, review_id: UUID, brand) -> ReviewDocument:
    """Everything about the review (Http404 if there is no such review in this brand)."""
    review = review_selectors.review_get(review_id=review_id)
    entries = crisis_selectors.timeline_list(incident=review.incident)
    return _document(review=review, brand=brand, audience=STAFF, entries=entries)


def review_document_for_client(*, incident_id: UUID, brand) -> ReviewDocument:
    """What the client's report page shows of the incident's review (Http404 for a drill, an
    incident without a review the client may see, or an open review)."""
    incident = crisis_selectors.incident_get(incident_id=incident_id, for_client=True)
    review = review_selectors.review_for_incident(incident_id=incident.pk, for_client=True)
    if review is None:
        raise Http404("This incident has no review for the client.")
    entries = crisis_selectors.timeline_list(incident=incident, pinned_only=True)
    return _document(review=review, brand=brand, audience=CLIENT, entries=entries)


def _name(review_or_item, attribute: str) -> str:
    """A referenced person's name, or "—" (user references carry no constraint: they may be gone)."""
    try:
        user = getattr(review_or_item, attribute)
    except Exception:  # noqa: BLE001 - a deleted user reads as nobody
        return "—"
    return (getattr(user, "name", "") or "—") if user is not None else "—"


def _at(value) -> str:
    return local_format(value, TIME) or "—"


def _document(*, review: Review, brand, audience: str, entries) -> ReviewDocument:
    incident = review.incident
    staff = audience == STAFF
    now = timezone.now()
    facts = [
        (_("Severity"), str(incident.get_severity_display())),
        (_("Incident status"), str(incident.get_status_display())),
        (_("Opened"), _at(incident.opened_at)),
        (_("First response"), _at(incident.first_response_at)),
        (_("Resolved"), _at(incident.resolved_at)),
    ]
    if staff:
        facts += [
            (_("Review state"), str(review.get_state_display())),
            (_("Review owner"), _name(review, "owner")),
            (_("Review due"), _at(review.due_at)),
        ]
    document = ReviewDocument(
        audience=audience,
        brand_name=brand.name,
        brand_slug=brand.slug or slugify(brand.name),
        brand_colour=getattr(brand, "colour", "") or "",
        number=incident.display_number,
        title=incident.title,
        is_drill=review.is_drill,
        facts=facts,
        summary=review.summary,
        figures=_staff_figures(review)
        if staff
        else [
            (str(label), value, "") for label, value in review_selectors.review_client_figures(review=review)
        ],
        windows=review_selectors.review_windows(review=review),
        timeline=[
            {
                "at": _at(e.at),
                "who": e.actor_label or "—",
                "kind": str(e.get_kind_display()),
                "text": e.text,
                "pinned": e.pinned,
            }
            for e in entries
        ],
        # The client's review was read with only the lessons and follow-ups marked for them.
        lessons=[
            {"text": lesson.text, "accepted": lesson.accepted, "visible": lesson.visible_to_client}
            for lesson in review.lessons.all()
        ],
        follow_ups=[
            {
                "title": item.title,
                "owner": item.owner.name if staff else "",
                "due": local_format(item.due_at, DAY),
                "status": str(item.get_status_display()),
                "reason": item.reason if staff else "",
                "visible": item.visible_to_client,
            }
            for item in review.action_items.all()
        ],
        sign_off=_sign_off(review, staff=staff),
        zone=zone_label(timezone.get_current_timezone(), at=now),
        generated=_at(now),
        generated_day=local_format(now, "Y-m-d"),
    )
    if staff:
        document.steps = [
            {
                "label": str(label),
                "state": str(
                    _step_states().get(review.steps[key].get("state"), review.steps[key].get("state"))
                ),
                "reason": review.steps[key].get("reason") or "",
                "at": _step_at(review.steps[key].get("at")),
            }
            for key, label in REVIEW_STEPS.items()
            if key in review.steps  # in the policy's order (JSON objects keep none)
        ]
        document.feedback = _feedback(review)
        document.internal = [
            (_("Root-cause notes"), incident.root_cause_notes or "—"),
            (_("Customers invited to the survey"), _count(review.survey_invitations)),
            (_("Crisis-plan version"), review_selectors.review_plan_label(review)),
        ]
    return document


def _step_at(iso) -> str:
    if not iso:
        return ""
    try:
        return _at(datetime.fromisoformat(iso))
    except (TypeError, ValueError):
        return str(iso)


def _step_states() -> dict:
    return {"pending": _("Pending"), "done": _("Done"), "skipped": _("Skipped")}


def _sign_off(review: Review, *, staff: bool) -> list[tuple[str, str]]:
    rows = [(_("State"), str(review.get_state_display()))]
    if review.completed_at:
        done = _at(review.completed_at)
        rows.append(
            (_("Completed by the team"), f"{done} · {_name(review, 'completed_by')}" if staff else done)
        )
    if review.signed_off_at:
        rows.append(
            (_("Signed off by the client"), f"{_at(review.signed_off_at)} · {_name(review, 'signed_off_by')}")
        )
    elif review.state == Review.State.AWAITING_SIGN_OFF:
        rows.append((_("Signed off by the client"), _("Waiting for the client's sign-off")))
    return rows


def _feedback(review: Review) -> list[tuple[str, str]]:
    asked = list(review.feedback.all())
    ratings = [f.rating for f in asked if f.rating is not None]
    mean = sum(ratings) / len(ratings) if ratings else None
    return [
        (_("Team members asked"), _count(len(asked))),
        (_("Answered"), _count(sum(1 for f in asked if f.answered_at))),
        (
            _("Average rating (1–5)"),
            "—" if mean is None else number_format(round(mean, 1), 1, use_l10n=True),
        ),
        (_("Lowest / highest rating"), f"{min(ratings)} / {max(ratings)}" if ratings else "—"),
    ]


# --- Staff figures: every figure, labelled, with how it was computed --------------------------------


def _count(value) -> str:
    return "—" if value is None else number_format(value, use_l10n=True, force_grouping=True)


def _share(value) -> str:
    return "—" if value is None else f"{number_format(round(value * 100, 1), 1, use_l10n=True)}%"


def _score(value, suffix: str = "") -> str:
    return "—" if value is None else f"{number_format(round(float(value), 1), 1, use_l10n=True)}{suffix}"


def _three(f: dict, prefix: str, fmt) -> str:
    return " / ".join(fmt(f.get(f"{prefix}_{w}")) for w in review_selectors.REVIEW_WINDOWS)


def _staff_figures(review: Review) -> list[tuple[str, str, str]]:
    f, how = review.figures, review.figures_method
    recovery = f.get("sentiment_recovery_days")
    followers = f.get("follower_change") or {}
    moderation = f.get("moderation_by_rule") or []
    # (figure keys shown by the row, label, value, method key)
    rows = [
        (["time_to_detect_s"], _("Time to detect"), duration(f.get("time_to_detect_s")), "time_to_detect_s"),
        (
            ["time_to_first_response_s"],
            _("Time to first response"),
            duration(f.get("time_to_first_response_s")),
            "time_to_first_response_s",
        ),
        (
            ["time_to_resolve_s"],
            _("Time to resolve"),
            duration(f.get("time_to_resolve_s")),
            "time_to_resolve_s",
        ),
        (["responses_sent"], _("Responses sent"), _count(f.get("responses_sent")), "responses_sent"),
        (
            ["responses_approved"],
            _("Responses that needed an approval"),
            _count(f.get("responses_approved")),
            "approval",
        ),
        (
            ["approval_median_s", "approval_p90_s"],
            _("Approval time of responses (median / 90th percentile)"),
            f"{duration(f.get('approval_median_s'))} / {duration(f.get('approval_p90_s'))}",
            "approval",
        ),
        (
            ["unanswered_complaints_peak"],
            _("Complaints waiting for an answer at the peak"),
            _count(f.get("unanswered_complaints_peak")),
            "unanswered_complaints_peak",
        ),
        (
            [f"negative_volume_{w}" for w in review_selectors.REVIEW_WINDOWS],
            _("Negative mentions before / during / after"),
            _three(f, "negative_volume", _count),
            "negative_volume",
        ),
        (
            [f"negative_share_{w}" for w in review_selectors.REVIEW_WINDOWS],
            _("Share of negative mentions before / during / after"),
            _three(f, "negative_share", _share),
            "negative_volume",
        ),
        (
            ["window_s", "after_window_complete"],
            _("Length of each window"),
            duration(f.get("window_s"))
            + (
                "" if f.get("after_window_complete", True) else f" ({_('the after window is still running')})"
            ),
            "negative_volume",
        ),
        (
            ["sentiment_recovery_days"],
            _("Sentiment recovered after"),
            _("not yet") if recovery is None else _("%(days)s day(s)") % {"days": recovery},
            "sentiment_recovery_days",
        ),
        (
            ["follower_change"],
            _("Follower change"),
            ", ".join(f"{p}: {n:+d}" for p, n in followers.items()) or "—",
            "follower_change",
        ),
        (
            ["moderation_by_rule"],
            _("Moderation by guideline rule"),
            "; ".join(f"{m.get('rule')} · {m.get('action')}: {m.get('count')}" for m in moderation) or "—",
            "moderation_by_rule",
        ),
        (
            ["survey_invitations", "survey_responses"],
            _("Customers surveyed / answers"),
            f"{_count(f.get('survey_invitations'))} / {_count(f.get('survey_responses'))}",
            "csat",
        ),
        (["csat"], _("Customer satisfaction (CSAT)"), _score(f.get("csat"), "%"), "csat"),
        (["nps"], _("Net promoter score (NPS)"), _score(f.get("nps")), "csat"),
        (["ces"], _("Customer effort score (CES)"), _score(f.get("ces")), "csat"),
    ]
    shown = {key for keys, *_rest in rows for key in keys}
    out, explained = [], set()
    for keys, label, value, method in rows:
        if any(key in f for key in keys):
            # Rows computed together share one line, written once at their first row.
            out.append((str(label), value, "" if method in explained else _method(how.get(method, ""))))
            explained.add(method)
    # A figure added to the computation later is still exported, under its own key.
    out += [(key, str(value), _method(how.get(key, ""))) for key, value in f.items() if key not in shown]
    return out


def _method(text: str) -> str:
    """The stored "how computed" line (written in English by incidents.selectors_figures), in the
    reader's language where the catalogue has it."""
    return _(text) if text else ""


# --- Markdown -------------------------------------------------------------------------------------

# Every character that can open Markdown or HTML syntax inside a line, escaped with a backslash
# (CommonMark reads a backslash before any ASCII punctuation as that character): emphasis, code,
# links and images (no "[" survives, so no "](…)"), raw HTML and entities, table cells, headings.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
# What would start a block only at the start of a line: a list item, a rule, an ordered list.
_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")


def md(text, *, line_start: bool = False) -> str:
    """User text as inert Markdown: one line, every syntax character escaped (no link, heading,
    table cell break or HTML can come from it). `line_start`: the text opens a line or a list item,
    where "1." or "-" would start a list."""
    flat = " ".join(str(text or "").split())
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", flat)
    if not line_start:
        return escaped
    return _LINE_START.sub(
        lambda m: f"\\{m.group(1)}" if m.group(1) else f"{m.group(2)}\\{m.group(3)}", escaped
    )


def review_window_rows(document: ReviewDocument) -> list[list[str]]:
    """The chart's figures as table rows: window, negative mentions, their share."""
    return [[str(w["label"]), _count(w["negative"]), _share(w["share"])] for w in document.windows]


def _paragraphs(text: str) -> list[str]:
    return [md(p, line_start=True) for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(md(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(md(c) if c else " " for c in row) + " |" for row in rows]
    return [*lines, ""]


def review_markdown(document: ReviewDocument) -> str:
    """The document as Markdown (CommonMark with tables), every text from people escaped."""
    d = document
    drill = f" {_('[DRILL]')}" if d.is_drill else ""
    lines = [f"# {md(_('Post-crisis review'))}: {d.number} {md(d.title)}{drill}", ""]
    lines += [f"**{md(d.brand_name)}** · {md(_('Times in %(zone)s') % {'zone': d.zone})}", ""]
    if d.for_staff:
        lines += [f"> {md(_('Staff copy with internal notes: do not send it to the client.'))}", ""]
    lines += [f"- **{md(label)}:** {md(value)}" for label, value in d.facts] + [""]
    if d.summary.strip():
        lines += [f"## {md(_('Summary'))}", ""]
        for paragraph in _paragraphs(d.summary):
            lines += [paragraph, ""]
    if d.for_staff and d.steps:
        lines += [f"## {md(_('Steps'))}", ""]
        lines += _table(
            [_("Step"), _("State"), _("Reason"), _("When")],
            [[s["label"], s["state"], s["reason"], s["at"]] for s in d.steps],
        )
    lines += [f"## {md(_('Figures'))}", ""]
    if d.for_staff:
        lines += _table([_("Figure"), _("Value"), _("How it was computed")], [list(r) for r in d.figures])
    else:
        lines += _table([_("Figure"), _("Value")], [[label, value] for label, value, _h in d.figures])
    lines += [f"## {md(_('Negative mentions before, during and after the crisis'))}", ""]
    lines += _table(
        [_("Window"), _("Negative mentions"), _("Share of negative mentions")],
        review_window_rows(d),
    )
    title = _("Timeline") if d.for_staff else _("Timeline (pinned for the client)")
    lines += [f"## {md(title)}", ""]
    if d.timeline:
        for e in d.timeline:
            pin = f" · {md(_('pinned for the client'))}" if d.for_staff and e["pinned"] else ""
            kind = f" · {md(e['kind'])}" if d.for_staff else ""
            lines.append(f"- **{md(e['at'])}** · {md(e['who'])}{kind}{pin}: {md(e['text'])}")
    else:
        lines.append(md(_("No updates yet.")))
    lines.append("")
    if d.for_staff:
        lines += [f"## {md(_('Team feedback'))}", ""]
        lines += [f"- **{md(label)}:** {md(value)}" for label, value in d.feedback] + [""]
    lines += [f"## {md(_('Lessons learned'))}", ""]
    if d.lessons:
        for lesson in d.lessons:
            notes = []
            if d.for_staff:
                notes.append(_("accepted for the plan") if lesson["accepted"] else _("not in the plan"))
                notes.append(_("shown to the client") if lesson["visible"] else _("internal"))
            suffix = f" ({md(', '.join(notes))})" if notes else ""
            lines.append(f"- {md(lesson['text'], line_start=True)}{suffix}")
    else:
        lines.append(md(_("None.")))
    lines.append("")
    lines += [f"## {md(_('Follow-ups'))}", ""]
    if not d.follow_ups:
        lines += [md(_("None.")), ""]
    elif d.for_staff:
        lines += _table(
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
        )
    else:
        lines += _table(
            [_("Follow-up"), _("Due"), _("Status")],
            [[i["title"], i["due"], i["status"]] for i in d.follow_ups],
        )
    if d.for_staff:
        lines += [f"## {md(_('Internal'))}", ""]
        lines += [f"- **{md(label)}:** {md(value)}" for label, value in d.internal] + [""]
    lines += [f"## {md(_('Sign-off'))}", ""]
    lines += [f"- **{md(label)}:** {md(value)}" for label, value in d.sign_off] + [""]
    lines += [
        f"_{md(_('Generated %(at)s. Drills are never shown to the client.') % {'at': d.generated})}_",
        "",
    ]
    return "\n".join(lines)


def review_filename(document: ReviewDocument, extension: str) -> str:
    """`<brand>-review-<incident number>-<day exported>[-staff].<extension>`."""
    suffix = "-staff" if document.for_staff else ""
    number = slugify(document.number.lstrip("#"))  # "12" or "d-3"
    return f"{slugify(document.brand_slug)}-review-{number}-{document.generated_day}{suffix}.{extension}"
