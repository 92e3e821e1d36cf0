"""Reads for post-crisis reviews. Clients (`for_client=True`) see completed reviews of real
incidents only (and those waiting for their sign-off), with the lessons and action items marked for them; drills never."""

from uuid import UUID

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from incidents.models import CrisisPlanVersion, Review, ReviewActionItem, ReviewLesson


def review_list(
    *, for_client: bool = False, state: str | None = None, incident_id: UUID | None = None
) -> QuerySet[Review]:
    qs = Review.objects.select_related("incident")
    if for_client:
        qs = qs.filter(
            is_drill=False, state__in=[Review.State.COMPLETED, Review.State.AWAITING_SIGN_OFF]
        ).prefetch_related(
            Prefetch("lessons", queryset=ReviewLesson.objects.filter(visible_to_client=True)),
            Prefetch(
                "action_items",
                queryset=ReviewActionItem.objects.filter(visible_to_client=True).select_related("owner"),
            ),
        )
    else:
        qs = qs.prefetch_related(
            "lessons",
            Prefetch("action_items", queryset=ReviewActionItem.objects.select_related("owner")),
            "feedback__member",
            "customers",
            Prefetch(
                "plan_versions",
                queryset=CrisisPlanVersion.objects.exclude(state=CrisisPlanVersion.State.DISCARDED).only(
                    "id", "version", "state"
                ),
            ),
        )
        qs = qs.select_related("plan_version")
    if state:
        qs = qs.filter(state=state)
    if incident_id:
        qs = qs.filter(incident_id=incident_id)
    return qs.order_by("-opened_at", "-id")


def review_get(*, review_id: UUID, for_client: bool = False) -> Review:
    """The review, or Http404 (an open review or a drill is missing to a client)."""
    review = review_list(for_client=for_client).filter(pk=review_id).first()
    if review is None:
        raise Http404("No such review.")
    return review


def review_for_incident(*, incident_id: UUID, for_client: bool = False) -> Review | None:
    return review_list(for_client=for_client, incident_id=incident_id).first()


def review_plan_label(review: Review) -> str:
    """The crisis-plan version that took in the review's lessons and every review that caused it
    ("v3, from the reviews of incidents #4, #7"), or the open draft the review feeds; "—" for
    neither. For staff pages and exports."""
    version = review.plan_version
    if version is None:
        draft = review.plan_versions.filter(state=CrisisPlanVersion.State.DRAFT).first()
        return _("Proposed in the open draft") if draft else "—"
    numbers = sorted(version.source_reviews.values_list("incident__number", flat=True))
    if not numbers:
        return f"v{version.version}"
    return _("v%(version)s, from the reviews of incidents %(incidents)s") % {
        "version": version.version,
        "incidents": ", ".join(f"#{n}" for n in numbers),
    }


def reviews_awaiting_sign_off_count() -> int:
    """How many reviews wait for the client's sign-off (the report pages' navigation shows it)."""
    return Review.objects.filter(is_drill=False, state=Review.State.AWAITING_SIGN_OFF).count()


def _duration(seconds) -> str:
    if seconds is None:
        return "—"
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours} h {rest // 60:02d} min"


def _percent(share) -> str:
    return "—" if share is None else f"{share * 100:.1f} %"


REVIEW_WINDOWS = ("before", "during", "after")


def review_windows(*, review: Review) -> list[dict]:
    """Negative mentions and their share (0…1, None without mentions) in the three equal windows
    around the crisis: before the opening, during it, after the resolution."""
    f = review.figures
    labels = {"before": _("Before"), "during": _("During"), "after": _("After")}
    return [
        {
            "window": name,
            "label": labels[name],
            "negative": f.get(f"negative_volume_{name}"),
            "share": f.get(f"negative_share_{name}"),
        }
        for name in REVIEW_WINDOWS
    ]


def review_chart(*, review: Review) -> dict | None:
    """The before/during/after chart of a review in the shape static/reports/report.js draws
    (negative mentions as bars, their share in percent as a line); None before the figures exist."""
    windows = review_windows(review=review)
    if all(w["negative"] is None for w in windows):
        return None
    return {
        "type": "bar",
        "stacked": False,
        "horizontal": False,
        "labels": [str(w["label"]) for w in windows],
        "datasets": [
            {"label": _("Negative mentions"), "data": [w["negative"] or 0 for w in windows]},
            {
                "label": _("Share of negative mentions (%)"),
                "data": [None if w["share"] is None else round(w["share"] * 100, 1) for w in windows],
                "type": "line",
                "yAxisID": "share",
            },
        ],
    }


def review_client_figures(*, review: Review) -> list[tuple[str, str]]:
    """The completed review's headline figures as (label, value) rows for the client's report page."""
    f = review.figures
    follower = ", ".join(f"{p}: {n:+d}" for p, n in (f.get("follower_change") or {}).items()) or "—"
    recovery = f.get("sentiment_recovery_days")
    return [
        (_("Time to first response"), _duration(f.get("time_to_first_response_s"))),
        (_("Time to resolve"), _duration(f.get("time_to_resolve_s"))),
        (_("Approval time of responses (median)"), _duration(f.get("approval_median_s"))),
        (_("Complaints waiting for an answer at the peak"), str(f.get("unanswered_complaints_peak", "—"))),
        (
            _("Negative mentions before / during / after"),
            f"{f.get('negative_volume_before', '—')} / {f.get('negative_volume_during', '—')} / "
            f"{f.get('negative_volume_after', '—')}",
        ),
        (
            _("Share of negative mentions before / during / after"),
            " / ".join(_percent(f.get(f"negative_share_{w}")) for w in ("before", "during", "after")),
        ),
        (
            _("Sentiment recovered after"),
            _("not yet") if recovery is None else _("%(days)s day(s)") % {"days": recovery},
        ),
        (_("Follower change"), follower),
        (_("Customer satisfaction (CSAT)"), "—" if f.get("csat") is None else f"{f['csat']} %"),
        (_("Net promoter score (NPS)"), "—" if f.get("nps") is None else str(f["nps"])),
    ]
