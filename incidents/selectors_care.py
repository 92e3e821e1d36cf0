"""Reads of care cases: the filtered list, one case, and the figures (counts and times, never a
person's details) that incident reviews and client reports show."""

import zoneinfo
from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from incidents.models import CareCase
from tenants.spreadsheet import csv_safe


def care_case_list(
    *,
    states: list[str] | None = None,
    owner_id=None,
    overdue: bool | None = None,
    incident_id=None,
) -> QuerySet[CareCase]:
    cases = CareCase.objects.select_related("owner", "incident").prefetch_related("mention_links")
    if states:
        cases = cases.filter(state__in=states)
    if owner_id:
        cases = cases.filter(owner_id=owner_id)
    if incident_id:
        cases = cases.filter(incident_id=incident_id)
    if overdue is not None:
        late = Q(state__in=CareCase.OPEN_STATES, due_at__lt=timezone.now())
        cases = cases.filter(late) if overdue else cases.exclude(late)
    return cases


def care_case_get(*, case_id) -> CareCase:
    """The case, or 404 like any missing object."""
    case = (
        CareCase.objects.select_related("owner", "incident", "invitation", "closing_reply")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise Http404("No such care case.")
    return case


def _seconds(value: timedelta | None) -> int | None:
    return int(value.total_seconds()) if value is not None else None


def care_figures(*, incident_id=None, since=None, until=None) -> dict:
    """Counts and average times of care cases (of one incident, or opened in a period): how many,
    by state, time to private contact, time to resolution and the share resolved."""
    cases = CareCase.objects.all()
    if incident_id:
        cases = cases.filter(incident_id=incident_id)
    if since:
        cases = cases.filter(opened_at__gte=since)
    if until:
        cases = cases.filter(opened_at__lt=until)
    duration = DurationField()
    totals = cases.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(state__in=CareCase.OPEN_STATES)),
        resolved=Count("pk", filter=Q(state=CareCase.State.RESOLVED)),
        closed=Count("pk", filter=Q(state__in=CareCase.CLOSED_STATES)),
        to_private=Avg(ExpressionWrapper(F("private_contact_at") - F("opened_at"), output_field=duration)),
        to_resolution=Avg(
            ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=duration),
            filter=Q(state=CareCase.State.RESOLVED),
        ),
    )
    return {
        "total": totals["total"],
        "open": totals["open"],
        "resolved": totals["resolved"],
        "closed": totals["closed"],
        "share_resolved": round(totals["resolved"] / totals["closed"], 3) if totals["closed"] else None,
        "avg_seconds_to_private_contact": _seconds(totals["to_private"]),
        "avg_seconds_to_resolution": _seconds(totals["to_resolution"]),
    }


CSV_DETAIL_COLUMNS = ["customer_name", "customer_email", "customer_phone", "outcome"]
_CSV_TIMES = ["opened_at", "due_at", "private_contact_at", "closed_at", "erased_at"]


def care_cases_csv_rows(*, cases: QuerySet[CareCase], with_details: bool) -> Iterator[list[str]]:
    """The header and one row per case for a CSV file: times in the brand's zone (named in the
    header), the customer's details only `with_details`, every cell safe from formulas."""
    zone = zoneinfo.ZoneInfo(getattr(connection.tenant, "timezone", "") or "UTC")

    def when(value: datetime | None) -> str:
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""

    details = CSV_DETAIL_COLUMNS if with_details else []
    yield [
        "number", "platform", "author_handle", "state", "incident", "owner",
        *[f"{name} ({zone.key})" for name in _CSV_TIMES], *details,
    ]  # fmt: skip
    for case in cases.select_related("owner", "incident").order_by("number"):
        row = [
            f"C-{case.number}",
            case.platform,
            case.author_handle,
            case.state,
            case.incident.display_number if case.incident_id else "",
            case.owner.name if case.owner_id else "",
            *[when(getattr(case, name)) for name in _CSV_TIMES],
            *[getattr(case, name) or "" for name in details],
        ]
        yield [csv_safe(cell) for cell in row]
