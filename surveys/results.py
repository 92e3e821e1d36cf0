"""Survey results, computed in the database: CSAT as the top-2-box share (answers of 4 or 5),
NPS as % promoters (9–10) − % detractors (0–6), CES as the mean (1 = very difficult, 7 = very easy),
choice counts, the response rate against invitations, and the same split by week and by incident."""

import zoneinfo
from uuid import UUID

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncWeek

from surveys.models import Answer, Invitation, Question, Response, Survey

K = Question.Kind
_SCORE_KINDS = [K.CSAT, K.NPS, K.CES]


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def score_summary(rows: list[dict]) -> dict:
    """Fold rows of (kind, n, top2, promoters, detractors, total) into the three headline scores."""
    by_kind = {r["question__kind"]: r for r in rows}
    csat = by_kind.get(K.CSAT, {})
    nps = by_kind.get(K.NPS, {})
    ces = by_kind.get(K.CES, {})
    csat_n, nps_n, ces_n = csat.get("n", 0), nps.get("n", 0), ces.get("n", 0)
    promoters, detractors = nps.get("promoters", 0), nps.get("detractors", 0)
    return {
        "csat": {"answers": csat_n, "top2": csat.get("top2", 0), "score": _pct(csat.get("top2", 0), csat_n)},
        "nps": {
            "answers": nps_n,
            "promoters": promoters,
            "passives": nps_n - promoters - detractors,
            "detractors": detractors,
            "score": round(100.0 * (promoters - detractors) / nps_n, 1) if nps_n else None,
        },
        "ces": {"answers": ces_n, "mean": round(ces.get("total", 0) / ces_n, 2) if ces_n else None},
    }


def _score_rows(survey_id: UUID, group: str | None = None, **annotations) -> list[dict]:
    qs = Answer.objects.filter(question__survey_id=survey_id, question__kind__in=_SCORE_KINDS)
    if annotations:
        qs = qs.annotate(**annotations)
    keys = ([group] if group else []) + ["question__kind"]
    return list(
        qs.values(*keys)
        .annotate(
            n=Count("id"),
            top2=Count("id", filter=Q(question__kind=K.CSAT, number__gte=4)),
            promoters=Count("id", filter=Q(question__kind=K.NPS, number__gte=9)),
            detractors=Count("id", filter=Q(question__kind=K.NPS, number__lte=6)),
            total=Sum("number"),
        )
        .order_by(*keys)
    )


def _grouped(rows: list[dict], group: str) -> dict:
    groups: dict = {}
    for row in rows:
        groups.setdefault(row[group], []).append(row)
    return {key: score_summary(value) for key, value in groups.items()}


def survey_results(*, survey_id: UUID, timezone_name: str = "UTC") -> dict:
    """Every figure of one survey; a fixed number of queries whatever its size."""
    tz = zoneinfo.ZoneInfo(timezone_name)
    survey = Survey.objects.get(pk=survey_id)
    questions = list(survey.questions.prefetch_related("options"))
    invitations = Invitation.objects.filter(survey_id=survey_id).count()
    responses = Response.objects.filter(survey_id=survey_id).count()

    overall = score_summary(_score_rows(survey_id))

    # Per question: distribution of numbers and counts of options.
    counts: dict = {}
    for row in (
        Answer.objects.filter(question__survey_id=survey_id)
        .values("question_id", "number", "option_id")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts.setdefault(row["question_id"], []).append(row)
    # Respondents per question (a multiple-choice answer is one row per ticked option).
    respondents = dict(
        Answer.objects.filter(question__survey_id=survey_id)
        .values("question_id")
        .annotate(n=Count("response_id", distinct=True))
        .values_list("question_id", "n")
        .order_by()
    )
    per_question = []
    for q in questions:
        rows = counts.get(q.pk, [])
        item = {
            "id": str(q.pk),
            "kind": q.kind,
            "text_en": q.text_en,
            "text_id": q.text_id,
            "answers": sum(r["n"] for r in rows) if q.kind not in Question.CHOICE_KINDS else None,
        }
        if q.kind in Question.CHOICE_KINDS:
            by_option = {r["option_id"]: r["n"] for r in rows}
            item["options"] = [
                {"id": str(o.pk), "text_en": o.text_en, "text_id": o.text_id, "count": by_option.get(o.pk, 0)}
                for o in q.options.all()
            ]
            item["answers"] = respondents.get(q.pk, 0)
            for option in item["options"]:
                option["share"] = _pct(option["count"], item["answers"])  # % of those who answered it
        elif q.scale or q.kind == K.CONSENT:
            low, high = q.scale or (0, 1)
            dist = {r["number"]: r["n"] for r in rows}
            total = sum(dist.values())
            item["distribution"] = [
                {"value": v, "count": dist.get(v, 0), "share": _pct(dist.get(v, 0), total)}
                for v in range(low, high + 1)
            ]
            item["mean"] = round(sum(v * c for v, c in dist.items()) / total, 2) if total else None
        per_question.append(item)

    # By week of submission, in the brand's time zone.
    week_scores = _grouped(
        _score_rows(survey_id, "week", week=TruncWeek("response__submitted_at", tzinfo=tz)), "week"
    )
    week_responses = {
        r["week"]: r["n"]
        for r in Response.objects.filter(survey_id=survey_id)
        .annotate(week=TruncWeek("submitted_at", tzinfo=tz))
        .values("week")
        .annotate(n=Count("id"))
        .order_by()
    }
    empty = score_summary([])
    by_week = [
        {"week": week.date().isoformat(), "responses": n, **week_scores.get(week, empty)}
        for week, n in sorted(week_responses.items())
    ]

    # By incident the invitation was sent about (None: not about an incident).
    incident_scores = _grouped(
        _score_rows(survey_id, "response__invitation__incident_id"), "response__invitation__incident_id"
    )
    incident_counts = (
        Invitation.objects.filter(survey_id=survey_id)
        .values("incident_id")
        .annotate(invitations=Count("id"), responses=Count("id", filter=Q(answered_at__isnull=False)))
        .order_by("incident_id")
    )
    by_incident = [
        {
            "incident_id": str(r["incident_id"]) if r["incident_id"] else None,
            "invitations": r["invitations"],
            "responses": r["responses"],
            "response_rate": _pct(r["responses"], r["invitations"]),
            **incident_scores.get(r["incident_id"], empty),
        }
        for r in incident_counts
    ]
    return {
        "survey_id": str(survey.pk),
        "title": survey.title_en,
        "status": survey.status,
        "invitations": invitations,
        "responses": responses,
        "response_rate": _pct(responses, invitations),
        **overall,
        "questions": per_question,
        "by_week": by_week,
        "by_incident": by_incident,
    }
