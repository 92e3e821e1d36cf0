"""Building surveys: drafts, questions and options, opening and closing, copies. An open or closed
survey's questions change only in ways that cannot break answers already given."""

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from surveys.catalog import SURVEY_TEMPLATES
from surveys.models import (
    Option,
    Question,
    Survey,
)
from tenants.errors import DomainError

_SAFE_QUESTION_FIELDS = frozenset({"text_en", "text_id", "help_en", "help_id", "position"})
_QUESTION_FIELDS = _SAFE_QUESTION_FIELDS | {"kind", "required"}


def _required_text(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(f"{field} is required.", field_errors={field: ["This field is required."]})
    return value


def _survey_for_edit(survey_id: UUID) -> Survey:
    survey = Survey.objects.select_for_update().filter(pk=survey_id).first()
    if survey is None:
        raise DomainError("No such survey.", field_errors={"survey": ["No such survey."]})
    return survey


def _require_draft(survey: Survey, what: str) -> None:
    if survey.status != Survey.Status.DRAFT:
        raise DomainError(
            f"The survey is {survey.status}: {what} would break answers already collected. "
            "Duplicate it as a draft and edit the copy."
        )


def _bump_version(survey: Survey) -> None:
    Survey.objects.filter(pk=survey.pk).update(questions_version=F("questions_version") + 1)


@transaction.atomic
def survey_create(
    *,
    title_en: str,
    title_id: str = "",
    intro_en: str = "",
    intro_id: str = "",
    questions: Iterable[dict] = (),
    template: str = "",
) -> Survey:
    """A draft survey with its questions (each a dict of question_add's arguments)."""
    survey = Survey.objects.create(
        title_en=_required_text(title_en, "title_en")[:200],
        title_id=(title_id or "").strip()[:200],
        intro_en=(intro_en or "").strip(),
        intro_id=(intro_id or "").strip(),
        template=template,
    )
    for position, spec in enumerate(questions, start=1):
        question_add(survey_id=survey.pk, position=position, **spec)
    return survey


@transaction.atomic
def survey_create_from_template(*, template: str, brand_name: str, open_now: bool = False) -> Survey:
    """A survey made from one of SURVEY_TEMPLATES, with the brand's name filled in."""
    spec = SURVEY_TEMPLATES.get(template)
    if spec is None:
        raise DomainError(
            f"Unknown template {template!r}; use one of: {', '.join(SURVEY_TEMPLATES)}.",
            field_errors={"template": ["Unknown template."]},
        )

    def fill(text: str) -> str:
        return text.replace("{brand}", brand_name)

    questions = []
    for q in spec["questions"]:
        q = dict(q)
        q["options"] = q.get("options", [])
        questions.append(
            {k: fill(v) if isinstance(v, str) else v for k, v in q.items() if k != "options"}
            | {"options": [(fill(en), fill(id_)) for en, id_ in q["options"]]}
        )
    survey = survey_create(
        title_en=fill(spec["title_en"]),
        title_id=fill(spec["title_id"]),
        intro_en=fill(spec["intro_en"]),
        intro_id=fill(spec["intro_id"]),
        questions=questions,
        template=template,
    )
    if open_now:
        survey = survey_open(survey_id=survey.pk)
    return survey


@transaction.atomic
def survey_update(
    *, survey_id: UUID, title_en: str, title_id: str = "", intro_en: str = "", intro_id: str = ""
) -> Survey:
    """Titles and introductions may change in any status: they do not affect answers."""
    survey = _survey_for_edit(survey_id)
    survey.title_en = _required_text(title_en, "title_en")[:200]
    survey.title_id, survey.intro_en, survey.intro_id = (
        title_id.strip()[:200],
        intro_en.strip(),
        intro_id.strip(),
    )
    survey.save(update_fields=["title_en", "title_id", "intro_en", "intro_id", "updated_at"])
    return survey


def _clean_options(options: Iterable) -> list[tuple[str, str]]:
    cleaned = []
    for item in options or []:
        en, id_ = (item.get("text_en", ""), item.get("text_id", "")) if isinstance(item, dict) else item
        en, id_ = (en or "").strip(), (id_ or "").strip()
        if not en and not id_:
            continue
        cleaned.append((en[:200] or id_[:200], id_[:200]))
    return cleaned


@transaction.atomic
def question_add(
    *,
    survey_id: UUID,
    kind: str,
    text_en: str,
    text_id: str = "",
    help_en: str = "",
    help_id: str = "",
    required: bool = True,
    position: int | None = None,
    options: Iterable = (),
) -> Question:
    """Add a question (and its options) to a draft survey."""
    survey = _survey_for_edit(survey_id)
    _require_draft(survey, "adding a question")
    if kind not in Question.Kind.values:
        raise DomainError(
            f"Unknown question type {kind!r}.", field_errors={"kind": ["Unknown question type."]}
        )
    option_texts = _clean_options(options)
    if kind in Question.CHOICE_KINDS and len(option_texts) < 2:
        raise DomainError(
            "A choice question needs at least two options.", field_errors={"options": ["Add two or more."]}
        )
    if kind not in Question.CHOICE_KINDS and option_texts:
        raise DomainError(
            "Only choice questions have options.", field_errors={"options": ["Not allowed here."]}
        )
    if position is None:
        position = (survey.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    question = Question.objects.create(
        survey=survey,
        kind=kind,
        text_en=_required_text(text_en, "text_en")[:500],
        text_id=(text_id or "").strip()[:500],
        help_en=(help_en or "").strip()[:500],
        help_id=(help_id or "").strip()[:500],
        required=bool(required),
        position=position,
    )
    Option.objects.bulk_create(
        Option(question=question, text_en=en, text_id=id_, position=i)
        for i, (en, id_) in enumerate(option_texts, 1)
    )
    _bump_version(survey)
    return question


@transaction.atomic
def question_update(*, question_id: UUID, **changes: Any) -> Question:
    """Change a question. On an open or closed survey only wording, help text and order may change;
    a new type or a question turned required would break or invalidate answers already given."""
    question = Question.objects.select_related("survey").filter(pk=question_id).first()
    if question is None:
        raise DomainError("No such question.")
    survey = _survey_for_edit(question.survey_id)
    unknown = set(changes) - _QUESTION_FIELDS
    if unknown:
        raise DomainError(f"Cannot change {', '.join(sorted(unknown))} of a question.")
    real = {k: v for k, v in changes.items() if getattr(question, k) != v}
    if not real:
        return question  # Nothing to change: not a new version either.
    if survey.status != Survey.Status.DRAFT and set(real) - _SAFE_QUESTION_FIELDS:
        _require_draft(survey, f"changing {', '.join(sorted(set(real) - _SAFE_QUESTION_FIELDS))}")
    if "kind" in real:
        if real["kind"] not in Question.Kind.values:
            raise DomainError("Unknown question type.", field_errors={"kind": ["Unknown question type."]})
        if (real["kind"] in Question.CHOICE_KINDS) != (question.kind in Question.CHOICE_KINDS):
            raise DomainError(
                "Remove the question and add a new one to switch between choice and non-choice."
            )
    if "text_en" in real:
        real["text_en"] = _required_text(real["text_en"], "text_en")[:500]
    for field, value in real.items():
        setattr(question, field, value)
    question.save(update_fields=list(real))
    _bump_version(survey)
    return question


@transaction.atomic
def question_remove(*, question_id: UUID) -> None:
    """Remove a question of a draft survey. Removing one that is already gone is a no-op."""
    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        return
    survey = _survey_for_edit(question.survey_id)
    _require_draft(survey, "removing a question")
    question.delete()
    _bump_version(survey)


@transaction.atomic
def option_add(*, question_id: UUID, text_en: str, text_id: str = "") -> Option:
    question = Question.objects.filter(pk=question_id).first()
    if question is None or question.kind not in Question.CHOICE_KINDS:
        raise DomainError("Options belong to choice questions only.")
    survey = _survey_for_edit(question.survey_id)
    _require_draft(survey, "adding an option")
    position = (question.options.aggregate(m=Max("position"))["m"] or 0) + 1
    option = Option.objects.create(
        question=question,
        text_en=_required_text(text_en, "text_en")[:200],
        text_id=text_id.strip()[:200],
        position=position,
    )
    _bump_version(survey)
    return option


@transaction.atomic
def option_update(*, option_id: UUID, text_en: str, text_id: str = "") -> Option:
    """Reword an option; allowed in any status, since answers point at the option, not its text."""
    option = Option.objects.select_related("question").filter(pk=option_id).first()
    if option is None:
        raise DomainError("No such option.")
    survey = _survey_for_edit(option.question.survey_id)
    text_en, text_id = _required_text(text_en, "text_en")[:200], (text_id or "").strip()[:200]
    if (option.text_en, option.text_id) == (text_en, text_id):
        return option
    option.text_en, option.text_id = text_en, text_id
    option.save(update_fields=["text_en", "text_id"])
    _bump_version(survey)
    return option


@transaction.atomic
def option_remove(*, option_id: UUID) -> None:
    option = Option.objects.select_related("question").filter(pk=option_id).first()
    if option is None:
        return
    survey = _survey_for_edit(option.question.survey_id)
    _require_draft(survey, "removing an option")
    option.delete()
    _bump_version(survey)


@transaction.atomic
def survey_open(*, survey_id: UUID) -> Survey:
    """Open a draft for answers. Opening an open survey is a no-op; a closed one stays closed."""
    survey = _survey_for_edit(survey_id)
    if survey.status == Survey.Status.OPEN:
        return survey
    if survey.status == Survey.Status.CLOSED:
        raise DomainError("A closed survey cannot be reopened; duplicate it as a draft instead.")
    questions = list(survey.questions.prefetch_related("options"))
    if not questions:
        raise DomainError("Add at least one question before opening the survey.")
    for q in questions:
        if q.kind in Question.CHOICE_KINDS and len(q.options.all()) < 2:
            raise DomainError(f"The question {q.text_en!r} needs at least two options.")
    survey.status, survey.opened_at = Survey.Status.OPEN, timezone.now()
    survey.save(update_fields=["status", "opened_at", "updated_at"])
    return survey


@transaction.atomic
def survey_close(*, survey_id: UUID) -> Survey:
    """Stop accepting answers; open links then show a "survey closed" page. Safe to repeat."""
    survey = _survey_for_edit(survey_id)
    if survey.status == Survey.Status.CLOSED:
        return survey
    survey.status, survey.closed_at = Survey.Status.CLOSED, timezone.now()
    survey.save(update_fields=["status", "closed_at", "updated_at"])
    return survey


@transaction.atomic
def survey_duplicate_as_draft(*, survey_id: UUID) -> Survey:
    """A draft copy (questions and options) to edit when the original already has answers."""
    original = Survey.objects.filter(pk=survey_id).prefetch_related("questions__options").first()
    if original is None:
        raise DomainError("No such survey.")
    copy = Survey.objects.create(
        title_en=f"{original.title_en} (copy)"[:200],
        title_id=f"{original.title_id} (salinan)"[:200] if original.title_id else "",
        intro_en=original.intro_en,
        intro_id=original.intro_id,
        template=original.template,
        copied_from=original,
    )
    for q in original.questions.all():
        new_q = Question.objects.create(
            survey=copy,
            kind=q.kind,
            text_en=q.text_en,
            text_id=q.text_id,
            help_en=q.help_en,
            help_id=q.help_id,
            required=q.required,
            position=q.position,
        )
        Option.objects.bulk_create(
            Option(question=new_q, text_en=o.text_en, text_id=o.text_id, position=o.position)
            for o in q.options.all()
        )
    return copy
