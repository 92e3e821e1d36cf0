"""CSV export of a survey's responses, streamed row by row and escaped against formula injection."""

import csv
from collections.abc import Iterator
from uuid import UUID

from surveys.models import Question
from surveys.selectors import response_list, survey_get
from tenants.localization import brand_zone
from tenants.spreadsheet import csv_safe

__all__ = ["csv_safe", "responses_csv_rows"]


class _Echo:
    def write(self, value: str) -> str:
        return value


def responses_csv_rows(*, survey_id: UUID, chunk_size: int = 500) -> Iterator[str]:
    """Header, then one line per response (multiple choices joined with "; "), oldest first."""
    survey = survey_get(survey_id=survey_id)
    questions = list(survey.questions.all())
    writer = csv.writer(_Echo())
    zone = brand_zone()
    yield writer.writerow(
        ["response_id", "submitted_at", "language", "name", "email", "phone", "incident_id", "mention_author"]
        + [csv_safe(f"{q.position}. {q.text_en}") for q in questions]
    )
    responses = response_list(survey_id=survey_id).order_by("submitted_at", "id")
    for response in responses.iterator(chunk_size=chunk_size):
        values: dict = {}
        for answer in response.answers.all():
            if answer.option_id:
                values.setdefault(answer.question_id, []).append(answer.option.text_en)
            elif answer.number is not None:
                values[answer.question_id] = answer.number
            else:
                values[answer.question_id] = answer.text
        inv = response.invitation
        cells = [
            response.pk,
            # ISO 8601 with the brand's offset (+07:00…): machine-readable and the brand's time. The
            # zone is named explicitly: a streamed body is written after the request's zone is gone.
            response.submitted_at.astimezone(zone).isoformat(),
            response.language,
            inv.name,
            inv.email,
            inv.phone,
            inv.incident_id or "",
            inv.mention_author,
        ]
        for q in questions:
            value = values.get(q.pk, "")
            if q.kind == Question.Kind.CONSENT and value != "":
                value = "yes" if value == 1 else "no"
            cells.append("; ".join(value) if isinstance(value, list) else value)
        yield writer.writerow([csv_safe(c) for c in cells])
